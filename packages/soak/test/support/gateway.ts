import { join } from 'node:path';
import { GATEWAY_MAIN, gatewayEnv } from '../../src/target/gateway-env.js';
import { SpawnedTarget } from '../../src/target/spawned-target.js';

export const TEST_API_KEY = 'soak-test-api-key';
export const TEST_ADMIN_TOKEN = 'soak-test-admin-token';

/** The built gateway, started as the runner starts it (accelerated, 50 SIM symbols), logging into `dir`. */
export function startBuiltGateway(dir: string): Promise<SpawnedTarget> {
  return SpawnedTarget.start({
    kind: 'gateway',
    file: process.execPath,
    args: [GATEWAY_MAIN],
    env: {
      PATH: process.env.PATH,
      ...gatewayEnv({
        apiKey: TEST_API_KEY,
        adminToken: TEST_ADMIN_TOKEN,
        dataDir: join(dir, 'gateway-data'),
        symbols: 50,
        accelerate: true,
      }),
    },
    outDir: dir,
  });
}

/** The gateway's GET /stats data. */
export async function gatewayStats(httpUrl: string): Promise<{ clients: { count: number } }> {
  const response = await fetch(`${httpUrl}/stats`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  const body = (await response.json()) as { data: { clients: { count: number } } };
  return body.data;
}
