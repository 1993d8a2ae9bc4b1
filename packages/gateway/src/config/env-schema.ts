import { z } from 'zod';

/** A whole number in [min, max], from an environment string. */
export const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

/** A duration in seconds (decimals allowed, so tests and accelerated soaks can use 0.2), as ms. */
export const seconds = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `must be a number of seconds from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `must be a number of seconds from ${min} to ${max}`)
        .max(max, `must be a number of seconds from ${min} to ${max}`),
    )
    .transform((s) => Math.round(s * 1000));

/** A comma-separated list of non-empty items. */
export const list = (item: z.ZodString, what: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(item, { error: `must be a comma-separated list of ${what}` }));

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every variable the gateway reads, with its default. Durations are seconds in the environment. */
export const envSchema = z.object({
  HOST: z.string().trim().min(1, 'must be a host name or IP address').default('127.0.0.1'),
  PORT: integer(0, 65535).default(8765),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  SHUTDOWN_TIMEOUT_MS: integer(100, 60_000).default(5000),

  API_KEYS: list(
    z.string().regex(/^[\x21-\x7e]{8,256}$/, 'each key: 8 to 256 printable characters, no spaces or commas'),
    'api keys of 8 to 256 printable characters',
  ).optional(),
  ADMIN_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 printable characters, no spaces')
    .optional(),

  WS_AUTH_GRACE_SECONDS: seconds(0.05, 3600).default(15_000),
  WS_PING_INTERVAL_SECONDS: seconds(0.05, 3600).default(20_000),
  WS_MAX_CONNECTIONS: integer(1, 1_000_000).default(5000),
  WS_MAX_FRAME_BYTES: integer(256, 1_048_576).default(65_536),
  WS_MAX_SYMBOLS_PER_CLIENT: integer(1, 100_000).default(1000),
  WS_MAX_MESSAGES_PER_SECOND: integer(1, 100_000).default(50),
  WS_MAX_BUFFERED_BYTES: integer(1024, 1_073_741_824).default(262_144),
  WS_SLOW_CLIENT_TIMEOUT_SECONDS: seconds(0.05, 3600).default(10_000),

  BROKER_ADAPTER_CLEANUP_DELAY: seconds(0, 86_400).default(60_000),
  BROKER_ADAPTER_MAX_IDLE: seconds(0.05, 604_800).default(1_800_000),
  WEBSOCKET_CLEANUP_INTERVAL: seconds(0.05, 86_400).default(300_000),
  SYMBOL_HASH_CACHE_SIZE: integer(1, 10_000_000).default(50_000),
  MARKET_DATA_CACHE_SIZE: integer(1, 10_000_000).default(10_000),
  RING_BUFFER_SIZE: integer(16, 16_777_216).default(65_536),

  MEMORY_CHECK_INTERVAL: seconds(0.05, 86_400).default(30_000),
  WARNING_MEMORY_MB: integer(1, 1_048_576).optional(),
  CLEANUP_MEMORY_MB: integer(1, 1_048_576).optional(),
  MAX_MEMORY_MB: integer(1, 1_048_576).optional(),

  SIM_SYMBOLS: integer(3, 100_000).default(2000),
  SIM_TICKS_PER_SECOND: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number from 0.1 to 100')
    .transform(Number)
    .pipe(
      z.number().min(0.1, 'must be a number from 0.1 to 100').max(100, 'must be a number from 0.1 to 100'),
    )
    .default(2),
  SIM_SEED: integer(0, 2 ** 31 - 1).default(1),
  CCXT_EXCHANGES: list(
    z.string().regex(/^[a-z0-9]{2,32}$/, 'each: a ccxt exchange id'),
    'ccxt exchange ids such as binance',
  )
    .optional()
    .default([]),
  CCXT_POLL_INTERVAL_MS: integer(100, 3_600_000).default(2000),
});

export type Env = z.infer<typeof envSchema>;
