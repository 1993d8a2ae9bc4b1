import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PeriodicJob } from '@steadystate/lifecycle';
import { manualClock, waitFor } from '@steadystate/lifecycle/testing';
import { advance, HOURLY_SNAPSHOTS, runAfter } from '../support/clocked-gateway.js';
import { createReport, pendingReports, watchReportState } from '../support/report-api.js';
import { withReportGateway, type ReportDb } from '../support/report-db.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';

/** AUTO_REPORT_INTERVAL_HOURS by default. */
const INTERVAL_MS = 3 * 3_600_000;
/**
 * Reports every 36 s, for the tests where the interval's length plays no part (the first test
 * checks it): the gateway fires some 20,000 timers in each hour the clock moves, so hours cost
 * seconds of real time.
 */
const SHORT_INTERVAL = { AUTO_REPORT_INTERVAL_HOURS: '0.01' };
const SHORT_INTERVAL_MS = 36_000;

/**
 * Every save into `reports` waits at a gate the test holds (an advisory lock of its own), and
 * logs when it started and ended: saves that overlapped would show as overlapping intervals.
 * Returns how many saves wait at the gate, and the way to open it.
 */
async function gatedSaves(db: ReportDb) {
  const key = randomInt(1, 2 ** 31 - 1);
  await db.exec(`
    CREATE TABLE save_log (report_id text, started timestamptz, finished timestamptz);
    CREATE FUNCTION gated_save() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE started timestamptz := clock_timestamp();
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(${key});
        INSERT INTO save_log VALUES (NEW.id, started, clock_timestamp());
        RETURN NEW;
      END $$;
    CREATE TRIGGER gated_save BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION gated_save();
    SELECT pg_advisory_lock(${key});`);
  let open = false;
  return {
    waiting: async () => {
      const [row] = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${key} AND NOT granted`,
      );
      return Number(row?.n);
    },
    open: async () => {
      if (open) return;
      open = true;
      await db.exec(`SELECT pg_advisory_unlock(${key})`);
    },
  };
}

describe('the report schedule', () => {
  it('makes a report once per AUTO_REPORT_INTERVAL_HOURS as the clock moves, never a millisecond early', (t) => {
    const clock = manualClock();
    return withReportGateway(
      t,
      'sqlite',
      HOURLY_SNAPSHOTS,
      async ({ gateway, db }) => {
        const { scheduler } = gateway.parts.reports;
        const start = clock.now();
        assert.equal(
          (await runAfter(gateway, clock, INTERVAL_MS - 1, scheduler)).runs,
          0,
          'a millisecond early',
        );
        assert.equal((await runAfter(gateway, clock, 1, scheduler)).runs, 1);
        const stats = await runAfter(gateway, clock, INTERVAL_MS, scheduler);
        assert.deepEqual([stats.runs, stats.skipped, stats.failures], [2, 0, 0]);

        const rows = await db.query<{ created_at: number; kind: string }>(
          'SELECT created_at, kind FROM reports ORDER BY created_at',
        );
        const made = rows.map((row) => [(Number(row.created_at) - start) / INTERVAL_MS, row.kind]);
        assert.deepEqual(
          made,
          [
            [1, 'auto'],
            [2, 'auto'],
          ],
          'one report per interval, made at its tick',
        );
      },
      { gateway: { clock } },
    );
  });

  it('never overlaps: while a save waits, ticks are skipped and scheduled and manual reports take turns', (t) => {
    const clock = manualClock();
    return withReportGateway(
      t,
      'postgres',
      { ...SHORT_INTERVAL, REPORT_SAVE_RETRIES: '0' },
      async ({ gateway, db }) => {
        const { scheduler } = gateway.parts.reports;
        const stop = watchReportState(gateway);
        const gate = await gatedSaves(db);
        const manual = [];
        try {
          manual.push(createReport(gateway, 201));
          await waitFor(async () => (await gate.waiting()) === 1, 'the manual report to wait at the gate');
          await advance(gateway, clock, SHORT_INTERVAL_MS);
          assert.ok(scheduler.running, 'the scheduled run started, and waits its turn');
          await advance(gateway, clock, SHORT_INTERVAL_MS);
          const waiting = scheduler.stats();
          assert.deepEqual([waiting.runs, waiting.skipped], [1, 1], 'the tick during the run was skipped');
          // Another key: one key has one report in the making at a time.
          manual.push(createReport(gateway, 201, TEST_API_KEYS[1]));
        } finally {
          // Settled before any failure ends the test: a request in flight holds up the close.
          await gate.open();
          await Promise.allSettled(manual);
        }
        const [first, last] = await Promise.all(manual);
        await waitFor(() => !scheduler.running, 'the scheduled run to end');
        const { violations } = stop();

        // In turn, first come first served: the manual report, the scheduled one, the manual one.
        const saves = await db.query<{ report_id: string; kind: string }>(
          `SELECT s.report_id, r.kind FROM save_log s JOIN reports r ON r.id = s.report_id ORDER BY s.started`,
        );
        assert.deepEqual(
          saves.map((save) => save.kind),
          ['manual', 'auto', 'manual'],
        );
        assert.deepEqual([saves[0]?.report_id, saves[2]?.report_id], [first?.id, last?.id]);
        const [overlaps] = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM save_log a JOIN save_log b
           ON a.report_id < b.report_id AND a.started < b.finished AND b.started < a.finished`,
        );
        assert.equal(Number(overlaps?.n), 0, 'no two saves ran at the same time');
        const stats = scheduler.stats();
        assert.deepEqual([stats.runs, stats.skipped, stats.failures, stats.cleanupFailures], [1, 1, 0, 0]);
        assert.deepEqual(violations, []);
      },
      { gateway: { clock } },
    );
  });

  it('goes on after failed and throwing runs, drops the report on every path, and saves again after', (t) => {
    // Reports every 36 s and the queue flushed every 150 s: the flush comes between the faults and
    // the runs after them. A failed save is retried after 500 ms, on the clock too.
    const clock = manualClock();
    const env = { ...SHORT_INTERVAL, REPORT_FLUSH_INTERVAL: '150', REPORT_SAVE_RETRIES: '1' };
    return withReportGateway(
      t,
      'sqlite',
      env,
      async ({ gateway, config, db }) => {
        const { reports } = gateway.parts;
        const { scheduler, flusher, state } = reports;
        const start = clock.now();
        const to = (seconds: number) => advance(gateway, clock, start + seconds * 1000 - clock.now());
        const runAt = (seconds: number, job: PeriodicJob) =>
          runAfter(gateway, clock, start + seconds * 1000 - clock.now(), job);
        const stop = watchReportState(gateway);

        // The database refuses: runs fail to save, retry once, and leave the report on disk.
        await db.refuseContents();
        for (const [tick, queued] of [
          [36, 1],
          [72, 2],
        ] as const) {
          await to(tick);
          await waitFor(() => state.phase === 'retrying', 'the run to wait for its retry');
          const stats = await runAt(tick + 0.5, scheduler);
          assert.deepEqual([state.phase, state.attempts, pendingReports(gateway)], ['queued', 2, queued]);
          assert.equal(stats.failures, 0, 'a queued report is not a failed run');
        }

        // The disk refuses too: the report can go nowhere, so the run throws.
        const pendingDir = join(config.dataDir, 'pending-reports');
        renameSync(pendingDir, `${pendingDir}.away`);
        writeFileSync(pendingDir, 'not a directory');
        for (const [tick, failures] of [
          [108, 1],
          [144, 2],
        ] as const) {
          const stats = await runAt(tick, scheduler);
          assert.deepEqual([state.phase, stats.failures], ['failed', failures]);
        }

        // Both come back: the flush saves the queued reports, and the scheduled runs save again.
        rmSync(pendingDir);
        renameSync(`${pendingDir}.away`, pendingDir);
        await db.acceptContents();
        const saved = reports.stats().saved;
        await runAt(150, flusher);
        assert.deepEqual(
          [pendingReports(gateway), reports.stats().saved],
          [0, saved + 2],
          'the queue flushed',
        );
        await runAt(180, scheduler);
        const stats = await runAt(216, scheduler);
        const { phases, violations } = stop();

        assert.deepEqual([stats.runs, stats.failures, stats.cleanupFailures], [6, 2, 0]);
        assert.equal(reports.stats().saved, saved + 4, 'the runs after the faults saved');
        assert.deepEqual(violations, []);
        for (const phase of ['retrying', 'queued', 'failed', 'saved']) {
          assert.ok(phases.has(phase), `phase ${phase} was watched (seen: ${[...phases].join(', ')})`);
        }
      },
      { gateway: { clock } },
    );
  });
});
