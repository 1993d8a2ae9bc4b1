/**
 * The logging surface the toolkit writes to. It is the subset of pino's API the toolkit uses,
 * so a pino logger (or a child of one) can be passed as is.
 */
export interface Logger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

/** Drops everything; for tests and for callers that only read the counters. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * The default: warnings and errors as one JSON line each on stderr, debug and info dropped.
 * A library must not be chatty by default, but a swallowed background error must leave a trace.
 */
export const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn(context, message) {
    writeLine('warn', context, message);
  },
  error(context, message) {
    writeLine('error', context, message);
  },
};

function writeLine(level: string, context: object, message: string): void {
  const entry = { level, time: Date.now(), msg: message, ...serializeErrors(context) };
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

function serializeErrors(context: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    out[key] =
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}
