import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoLeak } from '@steadystate/lifecycle/testing';
import { MONITOR_OUT_OF_THE_WAY } from '../support/market-session.js';
import { withScans } from '../support/scan-api.js';

/** (2 warm-up batches + 8 measured ones) x 100 = 1,000 runs; the warm-up fills the 96-point history. */
const LEAK_CHECK = { iterations: 100, samples: 9, warmupSamples: 2 } as const;
const RUNS = (LEAK_CHECK.warmupSamples + LEAK_CHECK.samples - 1) * LEAK_CHECK.iterations;

describe('market indices', () => {
  it(`${RUNS} indices runs, each with a dashboard read, leave the heap flat`, () =>
    withScans({ ...MONITOR_OUT_OF_THE_WAY, SIM_SYMBOLS: '50' }, async (gateway) => {
      const { indices, store } = gateway.parts;
      assert.ok((await indices.snapshotJob.runNow()).ok, 'the dashboard has data to read');
      const result = await assertNoLeak(
        async () => {
          if (!(await indices.computeNow())) throw new Error('no indices computed');
          const response = await fetch(`${gateway.url}/api/dashboard`);
          const body = (await response.json()) as { status: string };
          if (body.status !== 'ok') throw new Error(`dashboard answered ${JSON.stringify(body)}`);
        },
        { ...LEAK_CHECK, label: 'indices run + dashboard read' },
      );
      assert.equal(result.iterations, RUNS);
      assert.equal(indices.history.size, 96, 'the history stays at its bound');
      assert.equal(store.status().keys, 2, 'market_indices and latest_market_data, nothing else');
    }));
});
