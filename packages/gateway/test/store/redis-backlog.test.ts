import { GatewayErrorCode } from '../../src/errors.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import { KvError, type KeyValueStore } from '../../src/store/kv-store.js';
import { connectAuthenticated, marketDataOf, subscribe } from '../support/market-session.js';
import { withRedisGateway } from '../support/redis-session.js';
import { api, errorCode } from '../support/scan-api.js';

const MAX_PENDING = 5;
const ENV = {
  REDIS_MAX_PENDING: String(MAX_PENDING),
  REDIS_COMMAND_TIMEOUT_MS: '300',
  DASHBOARD_RETRIES: '1',
  SIM_TICKS_PER_SECOND: '20',
};

/**
 * Calls get() `count` times at once and returns each call's outcome ('ok' or its KvError code)
 * in the order they settled.
 */
async function burst(
  store: KeyValueStore,
  count: number,
): Promise<{ pendingAtOnce: number; settled: string[] }> {
  const settled: string[] = [];
  const calls = Array.from({ length: count }, (_, i) =>
    store.get(`steadystate-test:backlog:${i}`).then(
      () => settled.push('ok'),
      (error: unknown) => settled.push(error instanceof KvError ? error.code : String(error)),
    ),
  );
  const pendingAtOnce = store.status().pending;
  await Promise.all(calls);
  return { pendingAtOnce, settled };
}

/** Fires `count` HTTP requests at once while sampling the store's backlog; returns the statuses and the peak. */
async function httpBurst(gateway: Gateway, count: number): Promise<{ codes: string[]; peak: number }> {
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, gateway.parts.store.status().pending)), 1);
  try {
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        api(gateway, 'GET', i % 2 === 0 ? '/api/market/indices' : '/api/dashboard'),
      ),
    );
    return { codes: replies.map((r) => `${r.status} ${errorCode(r)}`), peak };
  } finally {
    clearInterval(sampler);
  }
}

/** The bound holds and the excess fails at once: every refusal settles before any waiting call. */
function assertBounded({ pendingAtOnce, settled }: { pendingAtOnce: number; settled: string[] }): void {
  assert.equal(pendingAtOnce, MAX_PENDING, 'exactly REDIS_MAX_PENDING calls wait');
  const refused = settled.filter((s) => s === GatewayErrorCode.KV_BACKLOG_FULL).length;
  assert.equal(refused, settled.length - MAX_PENDING);
  assert.deepEqual(
    settled.slice(0, refused),
    Array<string>(refused).fill(GatewayErrorCode.KV_BACKLOG_FULL),
    'refused before any waiting call settled',
  );
  assert.deepEqual(settled.slice(refused), Array<string>(MAX_PENDING).fill(GatewayErrorCode.KV_UNAVAILABLE));
}

/** Connected, and the jobs' first runs (which write on start) are done: the store is idle. */
async function startedUp(gateway: Gateway): Promise<void> {
  const { store, indices } = gateway.parts;
  await waitFor(
    () => store.status().connected && indices.indicesJob.stats().runs > 0 && !indices.indicesJob.running,
    'the first indices run',
  );
  await waitFor(
    () => indices.snapshotJob.stats().runs > 0 && !indices.snapshotJob.running,
    'the first snapshot',
  );
  assert.equal(store.status().pending, 0);
}

/** Quotes flow while the store is away: the WebSocket side never waits on Redis. */
async function assertQuotesFlow(gateway: Gateway): Promise<void> {
  const client = await connectAuthenticated(gateway);
  try {
    await subscribe(client, ['BTC/USDT']);
    await client.next(marketDataOf('BTC/USDT'), 5000, 'BTC/USDT market data');
  } finally {
    await client.close();
  }
}

describe('Redis backlog', () => {
  it('is bounded while Redis is unreachable: the excess fails fast with KV_BACKLOG_FULL, 503 over HTTP', (t) =>
    withRedisGateway(t, ENV, async ({ gateway, proxy }) => {
      const { store } = gateway.parts;
      await startedUp(gateway);
      proxy.blackhole(); // cut, and every reconnect hangs unanswered
      await waitFor(() => !store.status().connected, 'the store to see the cut');

      assertBounded(await burst(store, 4 * MAX_PENDING));
      const { codes, peak } = await httpBurst(gateway, 60);
      assert.deepEqual(new Set(codes), new Set(['503 STORE_UNAVAILABLE']));
      assert.ok(peak <= MAX_PENDING, `backlog peaked at ${peak}`);
      assert.deepEqual(
        [gateway.stats().store.connected, store.status().pending],
        [false, 0],
        'stats show the fault; nothing is left waiting',
      );
      await assertQuotesFlow(gateway);

      proxy.up();
      await waitFor(() => store.status().connected, 'the reconnect', 10_000);
      assert.ok((await gateway.parts.indices.computeNow()) !== null);
      const indices = await api(gateway, 'GET', '/api/market/indices');
      assert.equal(indices.status, 200);
    }));

  it('is bounded while a connected Redis stops answering (a partition that heals later)', (t) =>
    withRedisGateway(t, ENV, async ({ gateway, proxy }) => {
      const { store } = gateway.parts;
      await startedUp(gateway);
      proxy.stall(); // the connection stays up; nothing comes back

      assertBounded(await burst(store, 4 * MAX_PENDING));
      const { codes, peak } = await httpBurst(gateway, 60);
      assert.deepEqual(new Set(codes), new Set(['503 STORE_UNAVAILABLE']));
      assert.ok(peak <= MAX_PENDING, `backlog peaked at ${peak}`);

      proxy.up(); // the late replies arrive, in order, for calls that already failed
      assert.ok((await gateway.parts.indices.computeNow()) !== null);
      const indices = await api(gateway, 'GET', '/api/market/indices');
      assert.equal(indices.status, 200);
      assert.equal(store.status().pending, 0);
    }));
});
