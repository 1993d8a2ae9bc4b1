/**
 * The gateway as the benchmarks run it: the default configuration, quiet, on a free loopback
 * port, room for the benchmarks' connections, files in a temp dir that goes with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadConfig,
  startGateway,
  type ExchangeCatalog,
  type Gateway,
  type GatewayConfig,
} from '@steadystate/gateway';
import { pino } from 'pino';
import type { Cleanup } from './cleanup.js';

/** The api key the benchmark clients authenticate with. */
export const BENCH_API_KEY = 'bench-api-key-0001';

/** Starts the gateway (with `catalog` instead of the configured exchanges, when given); `cleanup` stops it. */
export async function startBenchGateway(
  cleanup: Cleanup,
  catalog?: ExchangeCatalog,
): Promise<{ gateway: Gateway; config: GatewayConfig }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'steadystate-bench-'));
  cleanup.add(() => rm(dataDir, { recursive: true, force: true }));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    API_KEYS: BENCH_API_KEY,
    WS_MAX_CONNECTIONS: '10000',
    WS_MAX_CONNECTIONS_PER_ADDRESS: '10000',
    DATA_DIR: dataDir,
  });
  const gateway = await startGateway(config, {
    logger: pino({ level: 'silent' }),
    ...(catalog ? { catalog } : {}),
  });
  cleanup.add(() => gateway.close());
  return { gateway, config };
}
