import { GatewayErrorCode } from '../../src/errors.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import { KvError } from '../../src/store/kv-store.js';
import { withRedisGateway } from '../support/redis-session.js';
import { api, errorCode } from '../support/scan-api.js';

/** How each call of the loop ended: an HTTP status, or the KvError code computeNow() threw. */
type Outcome = number | string;

/** One call of each path the indices and dashboard use. */
async function callEachPath(gateway: Gateway): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const path of ['/api/market/indices', '/api/dashboard']) {
    const reply = await api(gateway, 'GET', path);
    if (reply.status === 503) assert.equal(errorCode(reply), 'STORE_UNAVAILABLE', path);
    outcomes.push(reply.status);
  }
  try {
    await gateway.parts.indices.computeNow();
    outcomes.push('ok');
  } catch (error) {
    assert.ok(error instanceof KvError, `computeNow() threw ${String(error)}`);
    outcomes.push(error.code);
  }
  return outcomes;
}

describe('Redis connection killed mid-run', () => {
  it('keeps answering (200, or 503 STORE_UNAVAILABLE in the gap), reconnects, and holds one connection', (t) =>
    withRedisGateway(
      t,
      { DASHBOARD_RETRY_DELAY_MS: '10', REDIS_COMMAND_TIMEOUT_MS: '500' },
      async ({ gateway, baseline, connectedClients, gatewayClients, kill }) => {
        const { store, indices } = gateway.parts;
        assert.ok(await indices.computeNow());
        const before = await gatewayClients();
        const killed = before[0];
        assert.ok(killed && before.length === 1, 'one gateway connection to kill');

        // Four callers loop over every path while the connection is killed under them.
        const outcomes: Outcome[] = [];
        let stop = false;
        const callers = Array.from({ length: 4 }, async () => {
          while (!stop) outcomes.push(...(await callEachPath(gateway)));
        });
        await waitFor(() => outcomes.length >= 60, 'calls before the kill');
        await kill(killed.id);
        await waitFor(() => store.status().reconnects >= 1 && store.status().connected, 'the reconnect');
        const afterReconnect = outcomes.length;
        await waitFor(() => outcomes.length >= afterReconnect + 60, 'calls after the reconnect');
        stop = true;
        await Promise.all(callers);

        const allowed = new Set<Outcome>([200, 503, 'ok', GatewayErrorCode.KV_UNAVAILABLE]);
        assert.deepEqual(
          outcomes.filter((o) => !allowed.has(o)),
          [],
          'every call answered 200 or 503 (HTTP), or ok / KV_UNAVAILABLE (the job)',
        );
        assert.ok(
          outcomes.slice(-12).every((o) => o === 200 || o === 'ok'),
          'the last calls all succeeded',
        );
        const after = await gatewayClients();
        assert.equal(after.length, 1, 'one gateway connection after the reconnect');
        assert.notEqual(after[0]?.id, killed.id, 'a new connection, not the killed one');
        assert.equal(await connectedClients(), baseline + 1);
        assert.equal(store.status().pending, 0);
        const health = await api(gateway, 'GET', '/healthz');
        assert.equal(health.status, 200);
      },
    ));
});
