import { z } from 'zod';
import { EXCHANGE_PATTERN, SYMBOL_PATTERN } from '../domain/symbols.js';
import type { DataLevel } from '../domain/tick.js';
import { ErrorCode, ProtocolError } from './error-codes.js';
import { parseMode } from './modes.js';

/** Every action a client can send; `auth` is an alias of `authenticate`. */
export const ACTIONS = [
  'authenticate',
  'subscribe',
  'unsubscribe',
  'unsubscribe_all',
  'ping',
  'get_broker_info',
  'get_supported_brokers',
  'get_stats',
  'cleanup_orphaned',
  'force_memory_cleanup',
] as const;
export type Action = (typeof ACTIONS)[number];

const symbol = z
  .string({ error: 'expected a string' })
  .regex(SYMBOL_PATTERN, 'expected a symbol such as "BTC/USDT"');
const exchange = z
  .string({ error: 'expected a string' })
  .regex(EXCHANGE_PATTERN, 'expected an exchange code such as "SIM"');
const requestId = z.union([z.string().max(128), z.number().finite()], {
  error: 'expected a string or a number',
});

/** A symbol on an exchange, with the exchange code upper-cased. */
export interface SymbolRef {
  symbol: string;
  exchange: string;
}

export interface SubscribeRequest {
  symbols: SymbolRef[];
  mode: DataLevel;
  depth: number;
  requestId?: string | number;
}

export interface UnsubscribeRequest {
  /** `mode` undefined means every mode the client holds for that symbol. */
  symbols: (SymbolRef & { mode: DataLevel | undefined })[];
  requestId?: string | number;
}

/** Limits the parser enforces. */
export interface MessageLimits {
  /** Most symbols one subscribe or unsubscribe may name. */
  maxSymbolsPerRequest: number;
  /** Most depth levels a subscriber may ask for. */
  maxDepth: number;
}

const subscribeSchema = z.object({
  symbols: z.array(z.object({ symbol, exchange }, { error: 'expected {symbol, exchange}' })).optional(),
  symbol: symbol.optional(),
  exchange: exchange.optional(),
  mode: z.unknown().optional(),
  depth: z.unknown().optional(),
  request_id: requestId.optional(),
});

const unsubscribeSchema = z.object({
  symbols: z
    .array(
      z.object(
        { symbol, exchange, mode: z.unknown().optional() },
        { error: 'expected {symbol, exchange, mode}' },
      ),
    )
    .optional(),
  symbol: symbol.optional(),
  exchange: exchange.optional(),
  mode: z.unknown().optional(),
  request_id: requestId.optional(),
});

/** Reads a subscribe message in either form: a `symbols` list, or one top-level `symbol` + `exchange`. */
export function parseSubscribe(message: Record<string, unknown>, limits: MessageLimits): SubscribeRequest {
  const data = validate(subscribeSchema, message);
  const list = data.symbols ?? single(data.symbol, data.exchange);
  checkCount(list.length, limits);
  const mode = parseMode(data.mode, 2);
  const depth = parseDepth(data.depth, limits.maxDepth);
  return {
    symbols: list.map(normalize),
    mode,
    depth,
    ...(data.request_id === undefined ? {} : { requestId: data.request_id }),
  };
}

/**
 * Reads an unsubscribe message. In the list form each entry's `mode` wins; an entry without one
 * falls back to a top-level `mode`, and without either it removes every mode the client holds
 * for that symbol (upstream ignored a top-level mode in a list and defaulted to Quote).
 */
export function parseUnsubscribe(
  message: Record<string, unknown>,
  limits: MessageLimits,
): UnsubscribeRequest {
  const data = validate(unsubscribeSchema, message);
  const topMode = data.mode === undefined ? undefined : parseMode(data.mode, 2);
  const entries = data.symbols ?? single(data.symbol, data.exchange).map((s) => ({ ...s, mode: undefined }));
  checkCount(entries.length, limits);
  return {
    symbols: entries.map((e) => ({
      ...normalize(e),
      mode: e.mode === undefined ? topMode : parseMode(e.mode, 2),
    })),
    ...(data.request_id === undefined ? {} : { requestId: data.request_id }),
  };
}

/** The api key of an authenticate message (`api_key`, or `apikey` as some clients spell it). */
export function parseApiKey(message: Record<string, unknown>): string {
  const key = message.api_key ?? message.apikey;
  if (key === undefined || key === null || key === '') {
    throw new ProtocolError(ErrorCode.AUTHENTICATION_ERROR, 'API key is required');
  }
  if (typeof key !== 'string' || key.length > 512) {
    throw new ProtocolError(ErrorCode.AUTHENTICATION_ERROR, 'Invalid API key');
  }
  return key;
}

/** The `request_id` of any message, when it is a valid one, for echoing in the reply. */
export function readRequestId(message: Record<string, unknown>): string | number | undefined {
  const parsed = requestId.safeParse(message.request_id);
  return parsed.success ? parsed.data : undefined;
}

function single(s: string | undefined, e: string | undefined): SymbolRef[] {
  if (s === undefined || e === undefined) {
    throw new ProtocolError(
      ErrorCode.INVALID_PARAMETERS,
      'expected a non-empty "symbols" list of {symbol, exchange}, or top-level "symbol" and "exchange"',
    );
  }
  return [{ symbol: s, exchange: e }];
}

function checkCount(count: number, limits: MessageLimits): void {
  if (count === 0) throw new ProtocolError(ErrorCode.INVALID_PARAMETERS, '"symbols" must not be empty');
  if (count > limits.maxSymbolsPerRequest) {
    throw new ProtocolError(
      ErrorCode.MAX_SYMBOLS_REACHED,
      `a request may name at most ${limits.maxSymbolsPerRequest} symbols; got ${count}`,
    );
  }
}

function parseDepth(value: unknown, maxDepth: number): number {
  if (value === undefined || value === null) return Math.min(5, maxDepth);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxDepth) return value;
  throw new ProtocolError(
    ErrorCode.INVALID_PARAMETERS,
    `depth: expected a whole number from 1 to ${maxDepth}`,
  );
}

function normalize<T extends SymbolRef>(ref: T): SymbolRef {
  return { symbol: ref.symbol, exchange: ref.exchange.toUpperCase() };
}

function validate<S extends z.ZodType>(schema: S, message: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(message);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ProtocolError(ErrorCode.INVALID_PARAMETERS, problems.join('; '));
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') ||
    'message'
  );
}
