import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeriodicJob } from '@steadystate/lifecycle';
import { manualClock, waitFor } from '@steadystate/lifecycle/testing';
import type { MarketIndices } from '../../src/indices/compute-indices.js';
import { advance, runAfter, startClockedGateway } from '../support/clocked-gateway.js';
import { withRedisGateway } from '../support/redis-session.js';
import { api, errorCode } from '../support/scan-api.js';

/** MARKET_INDICES_INTERVAL by default. */
const INTERVAL_MS = 180_000;
/** The snapshot job only at start, so the indices job is the store's one writer. */
const ENV = { MARKET_DATA_SNAPSHOT_INTERVAL: '86400' };

/** Waits (on real time) for the runs both jobs make at start to end. */
async function startRunsDone(jobs: { indicesJob: PeriodicJob; snapshotJob: PeriodicJob }): Promise<void> {
  await waitFor(
    () => jobs.indicesJob.stats().runs === 1 && !jobs.indicesJob.running && !jobs.snapshotJob.running,
    'the runs at start',
  );
}

describe('the market indices schedule', () => {
  it('runs at start, then once per MARKET_INDICES_INTERVAL as the clock moves, never a millisecond early', async () => {
    const { gateway, clock } = await startClockedGateway(ENV);
    const { indices } = gateway.parts;
    const job = indices.indicesJob;
    try {
      await startRunsDone(indices);
      const start = clock.now();
      assert.equal((await runAfter(gateway, clock, INTERVAL_MS - 1, job)).runs, 1, 'a millisecond early');
      assert.equal((await runAfter(gateway, clock, 1, job)).runs, 2);
      for (let intervals = 2; intervals <= 4; intervals++) {
        const stats = await runAfter(gateway, clock, INTERVAL_MS, job);
        assert.deepEqual([stats.runs, stats.skipped, stats.failures], [intervals + 1, 0, 0]);
      }

      const at = indices.history.toArray().map((point) => (point.at - start) / INTERVAL_MS);
      assert.deepEqual(at, [0, 1, 2, 3, 4], 'one point per run, stamped with the time of its tick');
      const stored = await api(gateway, 'GET', '/api/market/indices');
      assert.equal(
        (stored.body as MarketIndices).computed_at,
        clock.now(),
        'the last run stored its indices',
      );
    } finally {
      await gateway.close();
    }
  });

  it('never overlaps: while Redis stalls, ticks are skipped and one write waits at a time', (t) => {
    // The write waits in the stalled proxy until up(). With the command timeout (a guard on real
    // time, tested with the store in redis-backlog) out of the way, the run stays in progress for
    // as long as the test holds the stall, so every tick meanwhile finds it running.
    const clock = manualClock();
    const env = { ...ENV, REDIS_COMMAND_TIMEOUT_MS: '60000' };
    return withRedisGateway(
      t,
      env,
      async ({ gateway, proxy }) => {
        const { store, indices } = gateway.parts;
        const job = indices.indicesJob;
        await startRunsDone(indices);
        proxy.stall();
        await advance(gateway, clock, INTERVAL_MS);
        await waitFor(() => store.status().pending === 1, 'the run to wait for its write');
        await advance(gateway, clock, 2 * INTERVAL_MS);
        const stalled = job.stats();
        assert.deepEqual([stalled.running, stalled.runs, stalled.skipped], [true, 2, 2], 'two ticks skipped');
        assert.equal(store.status().pending, 1, 'one write in flight: no run started beside the waiting one');

        proxy.up();
        await waitFor(() => !job.running, 'the waiting run to end once Redis answers');
        const after = await runAfter(gateway, clock, INTERVAL_MS, job);
        assert.deepEqual([after.runs, after.skipped, after.failures, after.lastError], [3, 2, 0, null]);
        assert.equal(after.cleanupFailures, 0);
      },
      { clock },
    );
  });

  it('goes on when runs fail with Redis down, and succeeds again once it is back', (t) => {
    const clock = manualClock();
    return withRedisGateway(
      t,
      { ...ENV, REDIS_COMMAND_TIMEOUT_MS: '300' },
      async ({ gateway, proxy }) => {
        const { store, indices } = gateway.parts;
        const job = indices.indicesJob;
        await startRunsDone(indices);
        assert.equal(job.stats().failures, 0);
        proxy.down();
        for (let failures = 1; failures <= 2; failures++) {
          const stats = await runAfter(gateway, clock, INTERVAL_MS, job);
          assert.deepEqual(
            [stats.runs, stats.failures],
            [1 + failures, failures],
            'a run failed, on schedule',
          );
        }
        assert.equal(store.status().connected, false);
        const unavailable = await api(gateway, 'GET', '/api/market/indices');
        assert.deepEqual([unavailable.status, errorCode(unavailable)], [503, 'STORE_UNAVAILABLE']);

        proxy.up();
        await waitFor(() => store.status().connected, 'the reconnect', 10_000);
        await runAfter(gateway, clock, INTERVAL_MS, job);
        const later = await runAfter(gateway, clock, INTERVAL_MS, job);
        assert.deepEqual(
          [later.runs, later.failures, later.lastError],
          [5, 2, null],
          'runs after the outage succeed',
        );
        assert.ok(store.status().reconnects >= 1);
        const stored = await api(gateway, 'GET', '/api/market/indices');
        assert.equal(stored.status, 200);
        const body = stored.body as MarketIndices;
        assert.equal(body.computed_at, clock.now(), 'written by the last run, after the outage');
        assert.equal(body.constituents, 20);
      },
      { clock },
    );
  });
});
