import { MAX_TIMER_MS } from '@steadystate/lifecycle';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import {
  EXCHANGE_DESCRIPTION,
  EXCHANGE_PATTERN,
  SYMBOL_DESCRIPTION,
  SYMBOL_PATTERN,
} from '../domain/symbols.js';

/** A whole number in [min, max], from an environment string. */
export const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

/**
 * A decimal number of `unit`s in [min, max], from an environment string, multiplied by `scale`
 * (e.g. seconds to ms). Decimals are allowed so tests and accelerated soaks can use 0.2 s. A
 * duration's maximum is at most what a timer can hold (MAX_TIMER_MS, 24.8 days): the toolkit
 * refuses longer ones, and the variable is the place to say so.
 */
const decimal = (unit: string, scale: number) => (min: number, max: number) => {
  if (scale > 1 && max * scale > MAX_TIMER_MS) {
    throw new RangeError(`a duration variable allows ${max} ${unit}, more than a timer can hold`);
  }
  const expected = `must be a number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, expected)
    .transform(Number)
    .pipe(z.number().min(min, expected).max(max, expected))
    .transform((n) => (scale === 1 ? n : Math.round(n * scale)));
};

/** A duration in seconds, as ms. */
export const seconds = decimal('seconds', 1000);
/** A duration in hours, as ms. */
export const hours = decimal('hours', 3_600_000);
/** The most hours a duration variable allows: what a timer can hold, in whole hours (596). */
export const MAX_HOURS = Math.floor(MAX_TIMER_MS / 3_600_000);
/** A plain decimal number. */
export const number = decimal('', 1);

/** `true` or `false` (also `1` / `0`, `yes` / `no`), from an environment string. */
export const flag = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(true|false|1|0|yes|no)$/, 'must be true or false')
    .transform((s) => s === 'true' || s === '1' || s === 'yes');

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
  HTTP_REQUEST_TIMEOUT_SECONDS: seconds(0.05, 3600).default(30_000),
  HTTP_HEADERS_TIMEOUT_SECONDS: seconds(0.05, 3600).default(10_000),
  HTTP_KEEPALIVE_TIMEOUT_SECONDS: seconds(0.05, 3600).default(5000),

  API_KEYS: list(
    z.string().regex(/^[\x21-\x7e]{8,256}$/, 'each key: 8 to 256 printable characters, no spaces or commas'),
    'api keys of 8 to 256 printable characters',
  ).optional(),
  ADMIN_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 printable characters, no spaces')
    .optional(),

  AUTH_MAX_FAILURES: integer(1, 1000).default(10),
  AUTH_FAILURE_WINDOW_SECONDS: seconds(1, 86_400).default(60_000),
  AUTH_BLOCK_SECONDS: seconds(0.05, 86_400).default(60_000),
  ALLOWED_ORIGINS: list(
    z
      .string()
      .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'each: an origin such as https://app.example.com'),
    'origins such as https://app.example.com',
  ).optional(),

  WS_AUTH_GRACE_SECONDS: seconds(0.05, 3600).default(15_000),
  WS_PING_INTERVAL_SECONDS: seconds(0.05, 3600).default(20_000),
  WS_MAX_CONNECTIONS: integer(1, 1_000_000).default(5000),
  WS_MAX_CONNECTIONS_PER_ADDRESS: integer(1, 1_000_000).default(1000),
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
  HEAP_GROWTH_PERCENT: integer(0, 300).default(20),

  SIM_SYMBOLS: integer(3, 100_000).default(2000),
  SIM_TICKS_PER_SECOND: number(0.1, 100).default(2),
  SIM_SEED: integer(0, 2 ** 31 - 1).default(1),
  CCXT_EXCHANGES: list(
    z.string().regex(/^[a-z0-9]{2,32}$/, 'each: a ccxt exchange id'),
    'ccxt exchange ids such as binance',
  )
    .optional()
    .default([]),
  CCXT_POLL_INTERVAL_MS: integer(100, 3_600_000).default(2000),

  DATA_DIR: z.string().trim().min(1, 'must be a directory path').default('data'),
  LOGS_DIR: z.string().trim().min(1, 'must be a directory path').optional(),
  TASK_CLEANUP_AFTER_HOURS: hours(0.0001, MAX_HOURS).default(3_600_000),
  TASK_CLEANUP_INTERVAL: seconds(0.05, 86_400).default(300_000),
  MAX_CONCURRENT_SCANS: integer(1, 64).default(2),
  MAX_ACTIVE_SCANS_PER_KEY: integer(1, 10_000).default(5),
  HTTP_MARKET_DATA_PUBLIC: flag().default(true),
  MAX_QUEUED_SCANS: integer(0, 10_000).default(50),
  MAX_RETAINED_TASKS: integer(0, 100_000).default(1000),
  SCAN_MAX_SYMBOLS: integer(1, 5000).default(500),
  LOG_LOCK_MAX_IDLE_HOURS: hours(0.0001, MAX_HOURS).default(7_200_000),
  LOG_LOCK_CLEANUP_INTERVAL: seconds(0.05, 86_400).default(600_000),
  LOG_MAX_AGE_HOURS: hours(0.0001, MAX_HOURS).default(86_400_000),
  LOG_MAX_TOTAL_MB: integer(1, 1_048_576).default(256),
  LOG_MAX_FILE_MB: integer(1, 1_048_576).default(16),
  EXCHANGE_MAX_IDLE_HOURS: hours(0.0001, MAX_HOURS).default(3_600_000),

  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
  KV_STORE: z.enum(['redis', 'memory', 'none'], { error: 'must be redis, memory or none' }).optional(),
  KV_MAX_ENTRIES: integer(1, 10_000_000).default(10_000),
  REDIS_MAX_PENDING: integer(1, 100_000).default(100),
  REDIS_COMMAND_TIMEOUT_MS: integer(10, 60_000).default(2000),
  MARKET_INDICES_INTERVAL: seconds(0.05, 86_400).default(180_000),
  MARKET_INDICES_TTL: seconds(1, 86_400).default(300_000),
  MARKET_DATA_SNAPSHOT_INTERVAL: seconds(0.05, 86_400).default(10_000),
  INDEX_EXCHANGE: z.string().regex(EXCHANGE_PATTERN, EXCHANGE_DESCRIPTION).default('SIM'),
  INDEX_SYMBOLS: list(z.string().regex(SYMBOL_PATTERN, `each: ${SYMBOL_DESCRIPTION}`), 'symbols').optional(),
  DASHBOARD_RETRIES: integer(1, 10).default(3),
  DASHBOARD_RETRY_DELAY_MS: integer(0, 60_000).default(2000),
  AUTO_REPORT_INTERVAL_HOURS: hours(0.00001, MAX_HOURS).default(10_800_000),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  SQLITE_PATH: z.string().trim().min(1, 'must be a file path').optional(),
  REPORT_SAVE_RETRIES: integer(0, 20).default(3),
  REPORT_PENDING_MAX: integer(1, 10_000).default(50),
  REPORT_FLUSH_INTERVAL: seconds(0.05, 86_400).default(5000),

  NATS_URL: z
    .string()
    .trim()
    .regex(/^(nats|tls):\/\/\S+$/, 'must be a nats:// or tls:// URL (several: comma-separated)')
    .optional(),
  NODE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-"')
    .optional(),
  CLUSTER_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1 to 32 letters, digits, "_" or "-"')
    .default('steadystate'),
  CLUSTER_LEASE_TTL: seconds(1, 60).default(10_000),
  CLUSTER_DEMAND_TTL: seconds(1, 600).default(15_000),
  CLUSTER_STATS_TIMEOUT: seconds(0.05, 30).default(1000),
  WORKERS: z
    .string()
    .trim()
    .regex(/^(auto|[1-9]\d{0,2})$/, 'must be auto or a whole number from 1 to 256')
    .transform((value) => (value === 'auto' ? availableParallelism() : Number(value)))
    .pipe(z.number().max(256, 'must be auto or a whole number from 1 to 256'))
    .default(1),
});

export type Env = z.infer<typeof envSchema>;
