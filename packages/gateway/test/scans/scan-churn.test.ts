import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertNoLeak, waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import { MONITOR_OUT_OF_THE_WAY } from '../support/market-session.js';
import { api, errorCode, SMALL_SCAN, startScan, withScans } from '../support/scan-api.js';

/**
 * Everything short: tasks, log files, log locks and idle exchange clients all go about 0.36 s
 * (0.0001 h) after their last use, swept every 50 ms. The monitor never cleans up by itself, so
 * whatever is released here was released by the sweeps under test.
 */
const CHURN_ENV = {
  ...MONITOR_OUT_OF_THE_WAY,
  // One key starts every scan, many at a time.
  MAX_ACTIVE_SCANS_PER_KEY: '10000',
  TASK_CLEANUP_AFTER_HOURS: '0.0001',
  TASK_CLEANUP_INTERVAL: '0.05',
  LOG_MAX_AGE_HOURS: '0.0001',
  LOG_LOCK_MAX_IDLE_HOURS: '0.0001',
  LOG_LOCK_CLEANUP_INTERVAL: '0.05',
  EXCHANGE_MAX_IDLE_HOURS: '0.0001',
  MAX_CONCURRENT_SCANS: '4',
  MAX_QUEUED_SCANS: '100',
};
const SCANS = 2000;
const WAVE = 50;

/** Starts `count` small scans at once and waits until all have finished. */
async function wave(gateway: Gateway, count: number): Promise<string[]> {
  const ids = await Promise.all(Array.from({ length: count }, () => startScan(gateway, SMALL_SCAN)));
  const { scans } = gateway.parts;
  await waitFor(
    () =>
      ids.every((id) => {
        const found = scans.lookup(id);
        return found.state !== 'found' || found.task.status === 'completed';
      }),
    'a wave of scans to finish',
    10_000,
  );
  return ids;
}

/** True once every task, log file, log lock and exchange client of the scans is gone. */
function allReleased(gateway: Gateway, logsDirectory: string): boolean {
  const { scans, logs, exchanges } = gateway.parts;
  const log = logs.stats();
  const exchange = exchanges.stats();
  return (
    scans.tasks.size === 0 &&
    log.files === 0 &&
    log.locks.keys === 0 &&
    exchange.clients === 0 &&
    exchange.leases === 0 &&
    readdirSync(logsDirectory).length === 0
  );
}

describe('scan churn', () => {
  it(`${SCANS} scans started, finished and swept leave nothing behind, and rounds of them leak nothing`, () =>
    withScans(CHURN_ENV, async (gateway, config) => {
      const { scans, logs } = gateway.parts;
      const ids: string[] = [];
      for (let started = 0; started < SCANS; started += WAVE) ids.push(...(await wave(gateway, WAVE)));

      await waitFor(() => allReleased(gateway, config.logs.directory), 'the sweeps to release everything');
      const tasks = scans.tasks.stats();
      assert.deepEqual([tasks.started, tasks.completed, tasks.failed, tasks.swept], [SCANS, SCANS, 0, SCANS]);
      // Every swept id is remembered as expired, up to a bound.
      assert.ok(tasks.tombstones <= tasks.maxTombstones);
      assert.equal(tasks.tombstones, SCANS);
      const reply = await api(gateway, 'GET', `/api/tasks/${ids[0] ?? ''}`);
      assert.deepEqual([reply.status, errorCode(reply)], [410, 'TASK_EXPIRED']);
      const log = logs.stats();
      assert.equal(log.deleted_old, SCANS, 'every log went by age');
      assert.deepEqual([log.write_errors, log.dropped_lines, log.bytes], [0, 0, 0]);

      // The churn above also warmed the JIT up, whose code would otherwise read as growth.
      // The tombstones of swept ids (some 200 bytes each, 10 a round) are the one structure
      // that grows here; they are capped at 10,000 and stay well within the allowance.
      const round = async () => {
        await wave(gateway, 10);
        await waitFor(() => allReleased(gateway, config.logs.directory), 'the sweeps to release the round');
      };
      const result = await assertNoLeak(round, {
        iterations: 4,
        samples: 8,
        warmupSamples: 1,
        label: 'a round of 10 scans started, finished and swept',
      });
      console.log(
        JSON.stringify({
          slope: result.bytesPerIteration,
          interval: result.interval,
          limit: result.limitBytesPerIteration,
        }),
      );
      assert.equal(result.iterations, (1 + 7) * 4, 'one warm-up batch and seven measured ones of 4 rounds');
      assert.equal(gateway.parts.monitor.stats().cleanup.runs, 0);
    }));
});
