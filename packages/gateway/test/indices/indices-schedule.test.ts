import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import type { MarketIndices } from '../../src/indices/compute-indices.js';
import { withRedisGateway } from '../support/redis-session.js';
import { api, errorCode } from '../support/scan-api.js';

/** Indices every 50 ms; the snapshot job only at start, so the indices job is the store's one writer. */
const ENV = {
  MARKET_INDICES_INTERVAL: '0.05',
  MARKET_DATA_SNAPSHOT_INTERVAL: '86400',
  REDIS_COMMAND_TIMEOUT_MS: '300',
};

/** Waits until the indices job has just succeeded, and returns its stats then. */
async function nextSuccess(gateway: Gateway) {
  const { indicesJob } = gateway.parts.indices;
  const runs = indicesJob.stats().runs;
  await waitFor(() => {
    const stats = indicesJob.stats();
    return stats.runs > runs && !stats.running && stats.lastError === null;
  }, 'a successful indices run');
  return indicesJob.stats();
}

describe('the market indices schedule', () => {
  it('never overlaps: while Redis stalls, ticks are skipped and one write waits at a time', (t) =>
    withRedisGateway(t, ENV, async ({ gateway, proxy }) => {
      const { store, indices } = gateway.parts;
      await waitFor(() => !indices.snapshotJob.running, 'the start-up snapshot');
      const before = await nextSuccess(gateway);
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, store.status().pending)), 1);
      try {
        proxy.stall(); // each run's write now waits out the 300 ms command timeout
        await waitFor(
          () => indices.indicesJob.stats().failures >= before.failures + 2,
          'two runs to time out',
        );
        proxy.up();
        await nextSuccess(gateway);
      } finally {
        clearInterval(sampler);
      }
      const after = indices.indicesJob.stats();
      assert.ok(after.skipped > before.skipped, 'ticks that found a run in progress were skipped');
      assert.equal(peak, 1, 'one write in flight at a time: no run started beside another');
      assert.equal(after.cleanupFailures, 0);
    }));

  it('goes on when runs fail with Redis down, and succeeds again once it is back', (t) =>
    withRedisGateway(t, ENV, async ({ gateway, proxy }) => {
      const { store, indices } = gateway.parts;
      const before = await nextSuccess(gateway);
      proxy.down();
      await waitFor(() => indices.indicesJob.stats().failures >= before.failures + 2, 'two failed runs');
      assert.equal(store.status().connected, false);
      const unavailable = await api(gateway, 'GET', '/api/market/indices');
      assert.deepEqual([unavailable.status, errorCode(unavailable)], [503, 'STORE_UNAVAILABLE']);

      proxy.up();
      await waitFor(() => store.status().connected, 'the reconnect', 10_000);
      const recovered = await nextSuccess(gateway);
      const later = await nextSuccess(gateway);
      assert.equal(later.failures, recovered.failures, 'runs after the outage succeed');
      assert.ok(store.status().reconnects >= 1);
      const stored = await api(gateway, 'GET', '/api/market/indices');
      assert.equal(stored.status, 200);
      const body = stored.body as MarketIndices;
      assert.ok(body.computed_at >= (recovered.lastStartedAt ?? Infinity), 'written after the outage');
      assert.equal(body.constituents, 20);
    }));
});
