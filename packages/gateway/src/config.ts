import { z } from 'zod';

/**
 * The gateway's configuration, read from environment variables and validated before anything
 * starts: a bad value stops start-up with a message naming the variable, the value and what
 * is allowed, instead of surfacing hours later as odd behaviour.
 */
export interface GatewayConfig {
  /** Interface to bind. Loopback by default: the seed bound admin actions to 0.0.0.0. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Longest a graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutMs: number;
}

/** Thrown when the environment holds an invalid value; `problems` lists each one. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`))
    .default(fallback);

const schema = z.object({
  HOST: z.string().trim().min(1, 'must be a host name or IP address').default('127.0.0.1'),
  PORT: integer(0, 65535, 8765),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  SHUTDOWN_TIMEOUT_MS: integer(100, 60_000, 5000),
});

/** Reads the configuration from `env` (process.env by default); throws ConfigError listing every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const input = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, emptyToUndefined(env[key])]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const v = parsed.data;
  return { host: v.HOST, port: v.PORT, logLevel: v.LOG_LEVEL, shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS };
}

/** An empty variable (`PORT=`) means "use the default", as shells and .env files commonly produce it. */
function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
