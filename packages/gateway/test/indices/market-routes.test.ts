import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { DashboardAnswer } from '../../src/indices/dashboard-reader.js';
import { LATEST_MARKET_DATA_KEY } from '../../src/indices/market-indices-service.js';
import type { Gateway } from '../../src/gateway.js';
import { api, errorCode, withScans } from '../support/scan-api.js';

/** Three dashboard attempts 10 ms apart, so a miss costs the test nothing. */
const FAST_DASHBOARD = { SIM_SYMBOLS: '50', DASHBOARD_RETRIES: '3', DASHBOARD_RETRY_DELAY_MS: '10' };

/** The jobs' first runs start once the gateway listens; a test that overwrites what they store waits for them. */
async function firstRunsDone(gateway: Gateway): Promise<void> {
  const { indicesJob, snapshotJob } = gateway.parts.indices;
  const done = (job: typeof indicesJob) => job.stats().runs >= 1 && !job.running;
  await waitFor(() => done(indicesJob) && done(snapshotJob), 'the first runs of the indices jobs');
}

describe('GET /api/market/indices and GET /api/dashboard', () => {
  it('serve what the jobs stored in the embedded store', () =>
    withScans(FAST_DASHBOARD, async (gateway) => {
      const { indices, store } = gateway.parts;
      const computed = await indices.computeNow();
      assert.ok((await indices.snapshotJob.runNow()).ok);
      assert.equal(store.status().backend, 'memory');

      const stored = await api(gateway, 'GET', '/api/market/indices');
      assert.equal(stored.status, 200);
      assert.deepEqual(stored.body, computed);

      const dashboard = await api(gateway, 'GET', '/api/dashboard');
      assert.equal(dashboard.status, 200);
      const answer = dashboard.body as DashboardAnswer & { data: { quotes: unknown[] } };
      assert.deepEqual([answer.status, answer.attempts, answer.data.quotes.length], ['ok', 1, 20]);
    }));

  it('answer no_data after every retry when nothing was written, and recover once it is', () =>
    withScans(FAST_DASHBOARD, async (gateway) => {
      const { indices, store } = gateway.parts;
      await firstRunsDone(gateway);
      await store.delete(LATEST_MARKET_DATA_KEY);
      const missing = await api(gateway, 'GET', '/api/dashboard');
      assert.equal(missing.status, 200);
      assert.deepEqual(
        [(missing.body as DashboardAnswer).status, (missing.body as DashboardAnswer).attempts],
        ['no_data', 3],
      );
      assert.ok((await indices.snapshotJob.runNow()).ok);
      const found = await api(gateway, 'GET', '/api/dashboard');
      assert.equal((found.body as DashboardAnswer).status, 'ok');
    }));

  it('report data someone else wrote that is not JSON as invalid_data, not a server error', () =>
    withScans(FAST_DASHBOARD, async (gateway) => {
      await firstRunsDone(gateway);
      await gateway.parts.store.set(LATEST_MARKET_DATA_KEY, '{not json', 60);
      const dashboard = await api(gateway, 'GET', '/api/dashboard');
      assert.equal(dashboard.status, 200);
      assert.deepEqual((dashboard.body as DashboardAnswer).status, 'invalid_data');
    }));

  it('with KV_STORE=none: the dashboard is empty with a reason, the indices 503, nothing crashes', () =>
    withScans({ ...FAST_DASHBOARD, KV_STORE: 'none' }, async (gateway) => {
      const { indices, store } = gateway.parts;
      assert.ok(await indices.computeNow(), 'the job still computes');
      assert.equal(store.status().backend, 'none');

      const dashboard = await api(gateway, 'GET', '/api/dashboard');
      assert.equal(dashboard.status, 200);
      assert.deepEqual(
        [(dashboard.body as DashboardAnswer).status, (dashboard.body as DashboardAnswer).data],
        ['no_store', null],
      );
      const stored = await api(gateway, 'GET', '/api/market/indices');
      assert.deepEqual([stored.status, errorCode(stored)], [503, 'INDICES_UNAVAILABLE']);
      assert.equal(stored.headers.get('retry-after'), '30');
      const health = await api(gateway, 'GET', '/healthz');
      assert.equal(health.status, 200);
    }));
});
