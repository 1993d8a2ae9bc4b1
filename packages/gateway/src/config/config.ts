import { GatewayError, GatewayErrorCode } from '../errors.js';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { envSchema, type Env } from './env-schema.js';

/** The api key that works when API_KEYS is unset and the gateway listens on loopback only. */
export const DEMO_API_KEY = 'steadystate-demo-key';

/**
 * The gateway's configuration, read from environment variables and validated before anything
 * starts: a bad value stops start-up with a message naming the variable, the value and what is
 * allowed, instead of surfacing hours later as odd behaviour. Durations are in milliseconds here
 * (seconds in the environment, as the SPEC names them).
 */
export interface GatewayConfig {
  /** Interface to bind. Loopback by default: the seed bound admin actions to 0.0.0.0. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logLevel: Env['LOG_LEVEL'];
  /** After SIGTERM, how long the process may take to exit before it is forced out. */
  shutdownTimeoutMs: number;
  http: {
    /** Market data routes (symbols, indices, dashboard data) open to all; false: they need an api key. */
    marketDataPublic: boolean;
    /** A request whose headers and body have not all arrived by then is answered 408. */
    requestTimeoutMs: number;
    /** A request whose headers have not all arrived by then is answered 408 (at most requestTimeoutMs). */
    headersTimeoutMs: number;
    /** An idle keep-alive connection is closed after this long. */
    keepAliveTimeoutMs: number;
  };
  auth: {
    apiKeys: string[];
    /** True when API_KEYS was unset and the demo key is in use (loopback only). */
    demoKey: boolean;
    /** Null when admin actions are disabled (ADMIN_TOKEN unset on a non-loopback host). */
    adminToken: string | null;
    /** True when the token was generated for this run because ADMIN_TOKEN was unset on loopback. */
    adminTokenGenerated: boolean;
    /** Failed authentications from one address in `failureWindowMs` that block it for `blockMs`. */
    maxFailures: number;
    failureWindowMs: number;
    blockMs: number;
    /** Origins browsers may connect from (WebSocket, dashboard stream); undefined: any. */
    allowedOrigins: string[] | undefined;
  };
  ws: {
    authGraceMs: number;
    pingIntervalMs: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
    maxFrameBytes: number;
    maxSymbolsPerClient: number;
    maxMessagesPerSecond: number;
    maxBufferedBytes: number;
    slowClientTimeoutMs: number;
  };
  adapters: {
    cleanupDelayMs: number;
    maxIdleMs: number;
    orphanCleanupIntervalMs: number;
    symbolCacheSize: number;
    marketDataCacheSize: number;
    ringBufferSize: number;
  };
  memory: {
    checkIntervalMs: number;
    /** All three set, or all three undefined (then derived from the tightest limit). */
    warningBytes: number | undefined;
    cleanupBytes: number | undefined;
    criticalBytes: number | undefined;
    /**
     * How far the old generation may grow past the live heap before a full collection, applied
     * by the process entry point (limitHeapGrowth); 0 leaves V8's own heuristics.
     */
    heapGrowthPercent: number;
  };
  sim: { symbols: number; ticksPerSecond: number; seed: number };
  ccxt: { exchanges: string[]; pollIntervalMs: number };
  /** Batch market scans as background tasks (SPEC 2.2). */
  scans: {
    retentionMs: number;
    sweepIntervalMs: number;
    maxConcurrent: number;
    /** Scans one api key may have pending or running at once. */
    maxActivePerKey: number;
    maxQueued: number;
    maxRetained: number;
    maxSymbols: number;
    /** Unleased exchange clients idle this long are closed by the sweep. */
    exchangeMaxIdleMs: number;
  };
  /** Session logs of scans: one file per task. */
  logs: {
    directory: string;
    lockMaxIdleMs: number;
    lockSweepIntervalMs: number;
    maxAgeMs: number;
    maxTotalBytes: number;
    maxFileBytes: number;
  };
  /** Where the service keeps its files (session logs, the SQLite database). */
  dataDir: string;
  store: {
    /** Redis when REDIS_URL is set (or KV_STORE=redis), the embedded store otherwise, or none. */
    backend: 'redis' | 'memory' | 'none';
    redisUrl: string | undefined;
    maxEntries: number;
    redisMaxPending: number;
    redisCommandTimeoutMs: number;
  };
  indices: {
    intervalMs: number;
    ttlMs: number;
    snapshotIntervalMs: number;
    exchange: string;
    /** Undefined: the first 20 symbols the exchange lists. */
    symbols: string[] | undefined;
    dashboardRetries: number;
    dashboardRetryDelayMs: number;
  };
  reports: {
    intervalMs: number;
    /** Set: PostgreSQL. Unset: SQLite at `sqlitePath`. */
    databaseUrl: string | undefined;
    sqlitePath: string;
    saveRetries: number;
    pendingMax: number;
    /** How often reports waiting on disk for the database are retried. */
    flushIntervalMs: number;
  };
  /** Cluster mode (NATS_URL set): this process is one node of a market shared over NATS. */
  cluster: ClusterConfig | undefined;
  /** Processes serving one port (WORKERS; `auto`: one per CPU), each a cluster node. */
  workers: number;
}

export interface ClusterConfig {
  /** Comma-separated NATS server URLs; may hold credentials, so never logged (redactUrl). */
  natsUrl: string;
  nodeId: string;
  /** Prefix of every subject and bucket of this cluster. */
  name: string;
  /** An exchange's lease lapses this long after its holder last renewed it. */
  leaseTtlMs: number;
  /** A node's demand lapses this long after it last published it (a dead node's demand goes). */
  demandTtlMs: number;
  /** How long `/stats` waits for the other nodes' answers. */
  statsTimeoutMs: number;
}

/** Thrown when the environment holds an invalid value; `problems` lists each one. */
export class ConfigError extends GatewayError {
  readonly problems: string[];

  constructor(problems: string[], options?: ErrorOptions) {
    super(GatewayErrorCode.CONFIG_INVALID, `invalid configuration:\n  ${problems.join('\n  ')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads the configuration from `env` (process.env by default); throws ConfigError listing every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const input = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, emptyToUndefined(env[key])]),
  );
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const v = parsed.data;
  const problems = crossFieldProblems(v, env);
  if (problems.length > 0) throw new ConfigError(problems);
  const loopback = isLoopback(v.HOST);
  const MB = 1024 * 1024;
  return {
    host: v.HOST,
    port: v.PORT,
    logLevel: v.LOG_LEVEL,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    http: {
      marketDataPublic: v.HTTP_MARKET_DATA_PUBLIC,
      requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_SECONDS,
      headersTimeoutMs: v.HTTP_HEADERS_TIMEOUT_SECONDS,
      keepAliveTimeoutMs: v.HTTP_KEEPALIVE_TIMEOUT_SECONDS,
    },
    auth: {
      apiKeys: v.API_KEYS ?? [DEMO_API_KEY],
      demoKey: v.API_KEYS === undefined,
      adminToken: v.ADMIN_TOKEN ?? (loopback ? randomBytes(16).toString('hex') : null),
      adminTokenGenerated: v.ADMIN_TOKEN === undefined && loopback,
      maxFailures: v.AUTH_MAX_FAILURES,
      failureWindowMs: v.AUTH_FAILURE_WINDOW_SECONDS,
      blockMs: v.AUTH_BLOCK_SECONDS,
      allowedOrigins: v.ALLOWED_ORIGINS?.map((origin) => origin.toLowerCase()),
    },
    ws: {
      authGraceMs: v.WS_AUTH_GRACE_SECONDS,
      pingIntervalMs: v.WS_PING_INTERVAL_SECONDS,
      maxConnections: v.WS_MAX_CONNECTIONS,
      maxConnectionsPerAddress: v.WS_MAX_CONNECTIONS_PER_ADDRESS,
      maxFrameBytes: v.WS_MAX_FRAME_BYTES,
      maxSymbolsPerClient: v.WS_MAX_SYMBOLS_PER_CLIENT,
      maxMessagesPerSecond: v.WS_MAX_MESSAGES_PER_SECOND,
      maxBufferedBytes: v.WS_MAX_BUFFERED_BYTES,
      slowClientTimeoutMs: v.WS_SLOW_CLIENT_TIMEOUT_SECONDS,
    },
    adapters: {
      cleanupDelayMs: v.BROKER_ADAPTER_CLEANUP_DELAY,
      maxIdleMs: v.BROKER_ADAPTER_MAX_IDLE,
      orphanCleanupIntervalMs: v.WEBSOCKET_CLEANUP_INTERVAL,
      symbolCacheSize: v.SYMBOL_HASH_CACHE_SIZE,
      marketDataCacheSize: v.MARKET_DATA_CACHE_SIZE,
      ringBufferSize: v.RING_BUFFER_SIZE,
    },
    memory: {
      checkIntervalMs: v.MEMORY_CHECK_INTERVAL,
      warningBytes: v.WARNING_MEMORY_MB === undefined ? undefined : v.WARNING_MEMORY_MB * MB,
      cleanupBytes: v.CLEANUP_MEMORY_MB === undefined ? undefined : v.CLEANUP_MEMORY_MB * MB,
      criticalBytes: v.MAX_MEMORY_MB === undefined ? undefined : v.MAX_MEMORY_MB * MB,
      heapGrowthPercent: v.HEAP_GROWTH_PERCENT,
    },
    sim: { symbols: v.SIM_SYMBOLS, ticksPerSecond: v.SIM_TICKS_PER_SECOND, seed: v.SIM_SEED },
    ccxt: { exchanges: v.CCXT_EXCHANGES, pollIntervalMs: v.CCXT_POLL_INTERVAL_MS },
    scans: {
      retentionMs: v.TASK_CLEANUP_AFTER_HOURS,
      sweepIntervalMs: v.TASK_CLEANUP_INTERVAL,
      maxConcurrent: v.MAX_CONCURRENT_SCANS,
      maxActivePerKey: v.MAX_ACTIVE_SCANS_PER_KEY,
      maxQueued: v.MAX_QUEUED_SCANS,
      maxRetained: v.MAX_RETAINED_TASKS,
      maxSymbols: v.SCAN_MAX_SYMBOLS,
      exchangeMaxIdleMs: v.EXCHANGE_MAX_IDLE_HOURS,
    },
    logs: {
      directory: resolve(v.LOGS_DIR ?? join(v.DATA_DIR, 'logs')),
      lockMaxIdleMs: v.LOG_LOCK_MAX_IDLE_HOURS,
      lockSweepIntervalMs: v.LOG_LOCK_CLEANUP_INTERVAL,
      maxAgeMs: v.LOG_MAX_AGE_HOURS,
      maxTotalBytes: v.LOG_MAX_TOTAL_MB * MB,
      maxFileBytes: v.LOG_MAX_FILE_MB * MB,
    },
    dataDir: resolve(v.DATA_DIR),
    store: {
      backend: v.KV_STORE ?? (v.REDIS_URL ? 'redis' : 'memory'),
      redisUrl: v.REDIS_URL,
      maxEntries: v.KV_MAX_ENTRIES,
      redisMaxPending: v.REDIS_MAX_PENDING,
      redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    },
    indices: {
      intervalMs: v.MARKET_INDICES_INTERVAL,
      ttlMs: v.MARKET_INDICES_TTL,
      snapshotIntervalMs: v.MARKET_DATA_SNAPSHOT_INTERVAL,
      exchange: v.INDEX_EXCHANGE.toUpperCase(),
      symbols: v.INDEX_SYMBOLS,
      dashboardRetries: v.DASHBOARD_RETRIES,
      dashboardRetryDelayMs: v.DASHBOARD_RETRY_DELAY_MS,
    },
    reports: {
      intervalMs: v.AUTO_REPORT_INTERVAL_HOURS,
      databaseUrl: v.DATABASE_URL,
      sqlitePath: resolve(v.SQLITE_PATH ?? join(v.DATA_DIR, 'steadystate.db')),
      saveRetries: v.REPORT_SAVE_RETRIES,
      pendingMax: v.REPORT_PENDING_MAX,
      flushIntervalMs: v.REPORT_FLUSH_INTERVAL,
    },
    workers: v.WORKERS,
    cluster:
      v.NATS_URL === undefined
        ? undefined
        : {
            natsUrl: v.NATS_URL,
            nodeId: v.NODE_ID ?? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64),
            name: v.CLUSTER_NAME,
            leaseTtlMs: v.CLUSTER_LEASE_TTL,
            demandTtlMs: v.CLUSTER_DEMAND_TTL,
            statsTimeoutMs: v.CLUSTER_STATS_TIMEOUT,
          },
  };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function crossFieldProblems(v: Env, env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const show = (name: string) => `${name}=${JSON.stringify(env[name] ?? '')}`;
  const memory = [v.WARNING_MEMORY_MB, v.CLEANUP_MEMORY_MB, v.MAX_MEMORY_MB];
  const set = memory.filter((m) => m !== undefined).length;
  if (set !== 0 && set !== 3) {
    problems.push(
      `${show('WARNING_MEMORY_MB')}, ${show('CLEANUP_MEMORY_MB')}, ${show('MAX_MEMORY_MB')}: set all three or none (unset, they derive from the memory limit)`,
    );
  } else if (set === 3 && !(memory[0]! < memory[1]! && memory[1]! < memory[2]!)) {
    problems.push(
      `${show('WARNING_MEMORY_MB')}, ${show('CLEANUP_MEMORY_MB')}, ${show('MAX_MEMORY_MB')}: must rise strictly, WARNING < CLEANUP < MAX`,
    );
  }
  if (v.API_KEYS === undefined && !isLoopback(v.HOST)) {
    problems.push(`API_KEYS="": required when HOST (${JSON.stringify(v.HOST)}) is not a loopback address`);
  }
  if (v.HTTP_HEADERS_TIMEOUT_SECONDS > v.HTTP_REQUEST_TIMEOUT_SECONDS) {
    problems.push(
      `${show('HTTP_HEADERS_TIMEOUT_SECONDS')}: must not exceed HTTP_REQUEST_TIMEOUT_SECONDS (${v.HTTP_REQUEST_TIMEOUT_SECONDS / 1000})`,
    );
  }
  if (v.LOG_MAX_FILE_MB > v.LOG_MAX_TOTAL_MB) {
    problems.push(`${show('LOG_MAX_FILE_MB')}: must not exceed LOG_MAX_TOTAL_MB (${v.LOG_MAX_TOTAL_MB})`);
  }
  const index = v.INDEX_EXCHANGE.toUpperCase();
  if (index !== 'SIM' && !v.CCXT_EXCHANGES.map((e) => e.toUpperCase()).includes(index)) {
    problems.push(`${show('INDEX_EXCHANGE')}: must be SIM or one of CCXT_EXCHANGES`);
  }
  if (v.KV_STORE === 'redis' && v.REDIS_URL === undefined) {
    problems.push(`${show('KV_STORE')}: redis needs REDIS_URL`);
  }
  if (v.WORKERS > 1 && v.NATS_URL === undefined) {
    problems.push(
      `${show('WORKERS')}: more than one worker needs NATS_URL (the workers share the market through NATS; see "Scaling out" in the README)`,
    );
  }
  if (v.API_KEYS !== undefined && v.API_KEYS.length === 0) {
    problems.push(`${show('API_KEYS')}: must name at least one key`);
  }
  return problems;
}

/** An empty variable (`PORT=`) means "use the default", as shells and .env files commonly produce it. */
function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
