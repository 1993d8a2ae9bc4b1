import { pino } from 'pino';
import { loadConfig, type GatewayConfig } from '../../src/config/config.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { makeTempDir } from './temp-dir.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_API_KEYS = ['test-key-alice-0001', 'test-key-bob-00002'] as const;
/** The job routes need an api key: the first test key, as a bearer. */
export const TEST_AUTH = { authorization: `Bearer ${TEST_API_KEYS[0]}` } as const;

export interface TestGateway {
  gateway: Gateway;
  config: GatewayConfig;
}

/**
 * A real gateway on a free loopback port with quiet logs, known api keys and admin token. `env`
 * overrides any variable (durations in seconds, decimals allowed), `options` the in-process hooks.
 */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: Partial<GatewayOptions> = {},
): Promise<TestGateway> {
  // Each test gateway writes its files (session logs, the database) in a temp dir of its own.
  const dataDir = await makeTempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    API_KEYS: TEST_API_KEYS.join(','),
    ...env,
  });
  const gateway = await startGateway(config, {
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...options,
  });
  return { gateway, config };
}
