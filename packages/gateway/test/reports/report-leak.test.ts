import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoLeak } from '@steadystate/lifecycle/testing';
import { MONITOR_OUT_OF_THE_WAY } from '../support/market-session.js';
import { assertNoLargeFields, pendingReports } from '../support/report-api.js';
import { withReportGateway } from '../support/report-db.js';

/** (2 warm-up batches + 8 measured ones) x 100 = 1,000 reports. */
const LEAK_CHECK = { iterations: 100, samples: 9, warmupSamples: 2 } as const;
const CYCLES = (LEAK_CHECK.warmupSamples + LEAK_CHECK.samples - 1) * LEAK_CHECK.iterations;

describe('report generation', () => {
  it(`${CYCLES} generate-save cycles in SQLite leave the heap flat and the job state empty`, (t) =>
    withReportGateway(t, 'sqlite', MONITOR_OUT_OF_THE_WAY, async ({ gateway, db }) => {
      const { reports, indices } = gateway.parts;
      await indices.computeNow(); // full reports, with charts and movers
      const result = await assertNoLeak(
        async () => {
          const outcome = await reports.generate('manual');
          if (outcome.status !== 'saved') throw new Error(`report ${outcome.id} was ${outcome.status}`);
        },
        { ...LEAK_CHECK, label: 'report generate-save' },
      );
      assert.equal(result.iterations, CYCLES);
      const [count] = await db.query<{ n: number }>('SELECT count(*) AS n FROM reports');
      assert.equal(count?.n, CYCLES, 'every report was saved');
      assert.equal(pendingReports(gateway), 0);
      assertNoLargeFields(gateway);
    }));
});
