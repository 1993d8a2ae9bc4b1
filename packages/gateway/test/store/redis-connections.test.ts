import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Gateway } from '../../src/gateway.js';
import { withRedisGateway } from '../support/redis-session.js';
import { api } from '../support/scan-api.js';

const CALLS = 1000;
/** Calls in flight at once: enough to overlap on the one connection, few enough to stay polite. */
const CONCURRENCY = 20;

/** Makes `CALLS` calls of `call`, `CONCURRENCY` at a time. */
async function repeat(call: () => Promise<void>): Promise<void> {
  for (let done = 0; done < CALLS; done += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, CALLS - done) }, call));
  }
}

async function expectOk(gateway: Gateway, path: string): Promise<void> {
  const reply = await api(gateway, 'GET', path);
  assert.equal(reply.status, 200, `${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
}

describe('Redis connections', () => {
  it(`stay at the gateway's one client over ${CALLS} calls of each indices and dashboard path`, (t) =>
    withRedisGateway(
      t,
      { DASHBOARD_RETRY_DELAY_MS: '10' },
      async ({ gateway, baseline, connectedClients, gatewayClients }) => {
        const { indices, store } = gateway.parts;
        assert.ok(await indices.computeNow());
        assert.ok((await indices.snapshotJob.runNow()).ok);
        const [client, ...others] = await gatewayClients();
        assert.equal(others.length, 0, 'one gateway client on the server');
        assert.equal(client?.name, 'steadystate-gateway');
        assert.equal(await connectedClients(), baseline + 1);

        await repeat(() => expectOk(gateway, '/api/market/indices'));
        await repeat(() => expectOk(gateway, '/api/dashboard'));
        await repeat(async () => {
          assert.ok(await indices.computeNow());
        });

        assert.equal(await connectedClients(), baseline + 1, 'no connection per call');
        assert.deepEqual(await gatewayClients(), [client], 'the same connection throughout');
        assert.deepEqual(
          [store.status().reconnects, store.status().pending, store.status().connected],
          [0, 0, true],
        );
        const dashboard = await api(gateway, 'GET', '/api/dashboard');
        assert.equal((dashboard.body as { status: string }).status, 'ok');
        // withRedisGateway checks connected_clients is back to the baseline once the gateway closed.
      },
    ));
});
