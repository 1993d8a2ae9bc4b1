import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectGarbage, manualClock, waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import { advance, HOURLY_SNAPSHOTS } from '../support/clocked-gateway.js';
import { MONITOR_OUT_OF_THE_WAY } from '../support/market-session.js';
import {
  api,
  errorCode,
  LONG_SCAN,
  SMALL_SCAN,
  startScan,
  waitUntilScanning,
  withScans,
} from '../support/scan-api.js';

/** TASK_CLEANUP_AFTER_HOURS and TASK_CLEANUP_INTERVAL by default. */
const RETENTION_MS = 3_600_000;
const SWEEP_INTERVAL_MS = 300_000;
/** Only the sweep drops a task here: no memory cleanup, whatever the process holds. */
const ENV = { ...MONITOR_OUT_OF_THE_WAY, ...HOURLY_SNAPSHOTS };

/**
 * A weak reference to the result the registry holds for a completed task. Made in a function of
 * its own so that no strong reference to the result stays in the test's scope.
 */
function weakResult(gateway: Gateway, id: string): WeakRef<object> {
  const found = gateway.parts.scans.lookup(id);
  assert.ok(found.state === 'found' && found.task.result, 'the task holds its result');
  return new WeakRef(found.task.result);
}

/** Runs a small scan to completion and returns its id. */
async function finishedScan(gateway: Gateway): Promise<string> {
  const { scans } = gateway.parts;
  const id = await startScan(gateway, SMALL_SCAN);
  await waitFor(() => {
    const found = scans.lookup(id);
    return found.state === 'found' && found.task.status === 'completed';
  }, 'the scan to complete');
  return id;
}

describe('task retention', () => {
  it('sweeps a finished task after TASK_CLEANUP_AFTER_HOURS, not a millisecond before: 410 TASK_EXPIRED, and its result is freed', () => {
    const clock = manualClock();
    return withScans(
      ENV,
      async (gateway) => {
        const { scans } = gateway.parts;
        const state = (id: string) => scans.lookup(id).state;
        const old = await finishedScan(gateway);
        await advance(gateway, clock, 1);
        const young = await finishedScan(gateway);
        const result = weakResult(gateway, old);

        // The sweep runs every 5 min from the start: the one at an hour finds one task finished
        // an hour before, the other an hour less a millisecond.
        await advance(gateway, clock, RETENTION_MS - 1);
        assert.deepEqual([state(old), state(young)], ['expired', 'found']);
        const routes = [
          ['GET', `/api/tasks/${old}`],
          ['GET', `/api/tasks/${old}/log`],
          ['GET', `/api/tasks/${old}/log/stream`],
          ['DELETE', `/api/tasks/${old}`],
        ] as const;
        for (const [method, path] of routes) {
          const reply = await api(gateway, method, path);
          assert.deepEqual([reply.status, errorCode(reply)], [410, 'TASK_EXPIRED'], `${method} ${path}`);
        }
        assert.equal((await api(gateway, 'GET', `/api/tasks/${young}`)).status, 200);
        const stats = scans.tasks.stats();
        assert.deepEqual([stats.size, stats.swept, stats.tombstones], [1, 1, 1]);

        await collectGarbage();
        assert.equal(result.deref(), undefined, 'nothing holds the swept result any more');
        await advance(gateway, clock, SWEEP_INTERVAL_MS);
        assert.equal(state(young), 'expired', 'swept by the next sweep');
      },
      { clock },
    );
  });

  it('never sweeps a running task, however old it gets', () => {
    // A running scan takes a turn of the event loop between two timers the clock fires, and the
    // gateway fires tens of thousands in an hour: the retention and its sweep are short here so
    // that the clock moves seconds, not hours.
    const clock = manualClock();
    const short = { TASK_CLEANUP_AFTER_HOURS: '0.0001', TASK_CLEANUP_INTERVAL: '0.05' };
    return withScans(
      { ...ENV, ...short, ...LONG_SCAN.env },
      async (gateway) => {
        const { scans } = gateway.parts;
        const id = await startScan(gateway, LONG_SCAN.body);
        await waitUntilScanning(gateway, id);
        const sweepsBefore = scans.tasks.stats().sweeps;
        await advance(gateway, clock, 3 * scans.tasks.retentionMs);
        const found = scans.lookup(id);
        assert.ok(found.state === 'found', 'still held');
        assert.equal(found.task.status, 'running');
        assert.ok(
          clock.now() - found.task.createdAt >= 3 * scans.tasks.retentionMs,
          'older than the retention',
        );
        assert.ok(scans.tasks.stats().sweeps >= sweepsBefore + 20, 'sweeps ran meanwhile');
        await api(gateway, 'DELETE', `/api/tasks/${id}`);
      },
      { clock },
    );
  });
});
