import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { createReport, pendingReports, watchReportState } from '../support/report-api.js';
import { withReportGateway } from '../support/report-db.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';

/** A scheduled report every 108 ms (0.00003 h). */
const FAST_SCHEDULE = { AUTO_REPORT_INTERVAL_HOURS: '0.00003', REPORT_FLUSH_INTERVAL: '0.1' };

/**
 * Every save into `reports` sleeps 300 ms inside the database, and logs when it started and
 * ended: saves that overlapped would show as overlapping intervals.
 */
const SLOW_SAVES = `
  CREATE TABLE save_log (report_id text, started timestamptz, finished timestamptz);
  CREATE FUNCTION slow_save() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE started timestamptz := clock_timestamp();
    BEGIN
      PERFORM pg_sleep(0.3);
      INSERT INTO save_log VALUES (NEW.id, started, clock_timestamp());
      RETURN NEW;
    END $$;
  CREATE TRIGGER slow_save BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION slow_save();`;

describe('the report schedule', () => {
  it('never overlaps: while a save is slow, ticks are skipped and manual reports wait their turn', (t) =>
    withReportGateway(
      t,
      'postgres',
      { ...FAST_SCHEDULE, REPORT_SAVE_RETRIES: '0' },
      async ({ gateway, db }) => {
        const { scheduler } = gateway.parts.reports;
        await db.exec(SLOW_SAVES);
        const runs = scheduler.stats().runs;
        const stop = watchReportState(gateway);
        await waitFor(() => scheduler.stats().runs >= runs + 3, 'three slow scheduled runs', 10_000);
        // Two keys: one key has one report in the making at a time.
        const manual = await Promise.all([
          createReport(gateway, 201),
          createReport(gateway, 201, TEST_API_KEYS[1]),
        ]);
        await waitFor(() => scheduler.stats().runs >= runs + 5, 'two more scheduled runs', 10_000);
        const { violations } = stop();

        // Logged once committed: every run started since the trigger, but the one in progress, and both manual.
        const saves = await db.query<{ report_id: string }>('SELECT report_id FROM save_log');
        assert.ok(saves.length >= 5, `${saves.length} slow saves logged`);
        for (const { id } of manual)
          assert.ok(
            saves.some((r) => r.report_id === id),
            `manual ${id} logged`,
          );
        const [overlaps] = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM save_log a JOIN save_log b
           ON a.report_id < b.report_id AND a.started < b.finished AND b.started < a.finished`,
        );
        assert.equal(Number(overlaps?.n), 0, 'no two saves ran at the same time');
        const stats = scheduler.stats();
        assert.ok(stats.skipped > 0, 'ticks that found a run in progress were skipped, and counted');
        assert.deepEqual([stats.failures, stats.cleanupFailures], [0, 0]);
        assert.deepEqual(violations, []);
      },
    ));

  it('goes on after failed and throwing runs, drops the report on every path, and saves again after', (t) =>
    withReportGateway(
      t,
      'sqlite',
      { ...FAST_SCHEDULE, REPORT_SAVE_RETRIES: '1' },
      async ({ gateway, config, db }) => {
        const { reports } = gateway.parts;
        const { scheduler } = reports;
        const stop = watchReportState(gateway);

        // The database refuses: runs fail to save, retry once, and leave the report on disk.
        await db.refuseContents();
        await waitFor(() => pendingReports(gateway) >= 2, 'two reports queued by failed runs', 10_000);
        assert.equal(scheduler.stats().failures, 0, 'a queued report is not a failed run');

        // The disk refuses too: the report can go nowhere, so the run throws.
        const pendingDir = join(config.dataDir, 'pending-reports');
        renameSync(pendingDir, `${pendingDir}.away`);
        writeFileSync(pendingDir, 'not a directory');
        await waitFor(() => scheduler.stats().failures >= 2, 'two throwing runs', 10_000);

        // Both come back: the queued reports are flushed, and the scheduled runs save again.
        rmSync(pendingDir);
        renameSync(`${pendingDir}.away`, pendingDir);
        await db.acceptContents();
        await waitFor(() => pendingReports(gateway) === 0, 'the queued reports to be flushed', 10_000);
        const { failures } = scheduler.stats();
        const saved = reports.stats().saved;
        await waitFor(() => reports.stats().saved >= saved + 2, 'two scheduled runs to save', 10_000);
        const { phases, violations } = stop();

        const stats = scheduler.stats();
        assert.ok(failures >= 2);
        assert.equal(stats.failures, failures, 'the runs after the faults succeeded');
        assert.equal(stats.cleanupFailures, 0, 'the job cleanup ran without error after every run');
        assert.deepEqual(violations, []);
        for (const phase of ['retrying', 'queued', 'failed', 'saved']) {
          assert.ok(phases.has(phase), `phase ${phase} was watched (seen: ${[...phases].join(', ')})`);
        }
      },
    ));
});
