import { fileURLToPath } from 'node:url';

/** The built gateway's entry point, beside this package in the repository. */
export const GATEWAY_MAIN = fileURLToPath(new URL('../../../../gateway/build/src/main.js', import.meta.url));

/**
 * Short cleanup delays and intervals (the gateway reads seconds, with decimals, and hours): a
 * 10-minute accelerated run goes through hundreds of orphan sweeps, adapter idle checks, task
 * and lock sweeps, index and report jobs, auth timeouts and slow-consumer cut-offs, the code
 * paths a weeks-long run exercises. The keepalive stays at its default: a faster one would cut
 * the slow clients (a paused reader answers no ping) before the slow-consumer check does.
 */
export const ACCELERATED_ENV: Readonly<Record<string, string>> = {
  BROKER_ADAPTER_CLEANUP_DELAY: '1',
  BROKER_ADAPTER_MAX_IDLE: '5',
  WEBSOCKET_CLEANUP_INTERVAL: '2',
  MEMORY_CHECK_INTERVAL: '1',
  TASK_CLEANUP_AFTER_HOURS: '0.005',
  TASK_CLEANUP_INTERVAL: '5',
  LOG_LOCK_MAX_IDLE_HOURS: '0.002',
  LOG_LOCK_CLEANUP_INTERVAL: '5',
  LOG_MAX_AGE_HOURS: '0.01',
  EXCHANGE_MAX_IDLE_HOURS: '0.002',
  MARKET_INDICES_INTERVAL: '5',
  MARKET_DATA_SNAPSHOT_INTERVAL: '2',
  AUTO_REPORT_INTERVAL_HOURS: '0.01',
  WS_AUTH_GRACE_SECONDS: '2',
  WS_SLOW_CLIENT_TIMEOUT_SECONDS: '2',
};

export interface GatewayEnvOptions {
  apiKey: string;
  adminToken: string;
  /** The gateway's DATA_DIR (session logs, the SQLite database): inside the output folder. */
  dataDir: string;
  symbols: number;
  accelerate: boolean;
}

/**
 * The environment the runner starts a gateway with: loopback on a free port, its own keys,
 * its files in the output folder. LOG_LEVEL stays at info: the "gateway listening" line the
 * runner reads its URL from is an info line, and the gateway logs little else at that level.
 * Every load client comes from 127.0.0.1, and the bad-input ones send wrong api keys on purpose:
 * the per-address limits are opened up, or one address would be blocked for all of them.
 */
export function gatewayEnv(o: GatewayEnvOptions): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    API_KEYS: o.apiKey,
    ADMIN_TOKEN: o.adminToken,
    DATA_DIR: o.dataDir,
    SIM_SYMBOLS: String(o.symbols),
    WS_MAX_CONNECTIONS_PER_ADDRESS: '100000',
    AUTH_MAX_FAILURES: '1000',
    ...(o.accelerate ? ACCELERATED_ENV : {}),
  };
}
