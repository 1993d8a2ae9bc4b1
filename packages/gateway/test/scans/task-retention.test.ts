import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectGarbage, waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import { api, errorCode, LONG_SCAN, SMALL_SCAN, startScan, withScans } from '../support/scan-api.js';

/** Finished tasks are kept about a second (0.0003 h) and swept every 50 ms. */
const SHORT_RETENTION = { TASK_CLEANUP_AFTER_HOURS: '0.0003', TASK_CLEANUP_INTERVAL: '0.05' };

/**
 * A weak reference to the result the registry holds for a completed task. Made in a function of
 * its own so that no strong reference to the result stays in the test's scope.
 */
function weakResult(gateway: Gateway, id: string): WeakRef<object> {
  const found = gateway.parts.scans.lookup(id);
  assert.ok(found.state === 'found' && found.task.result, 'the task holds its result');
  return new WeakRef(found.task.result);
}

describe('task retention', () => {
  it('sweeps a finished task after TASK_CLEANUP_AFTER_HOURS: 410 TASK_EXPIRED, and its result is freed', () =>
    withScans(SHORT_RETENTION, async (gateway) => {
      const { scans } = gateway.parts;
      const id = await startScan(gateway, SMALL_SCAN);
      await waitFor(() => {
        const found = scans.lookup(id);
        return found.state === 'found' && found.task.status === 'completed';
      }, 'the scan to complete');
      const result = weakResult(gateway, id);

      await waitFor(() => scans.lookup(id).state === 'expired', 'the sweep to drop the task', 10_000);
      const routes = [
        ['GET', `/api/tasks/${id}`],
        ['GET', `/api/tasks/${id}/log`],
        ['GET', `/api/tasks/${id}/log/stream`],
        ['DELETE', `/api/tasks/${id}`],
      ] as const;
      for (const [method, path] of routes) {
        const reply = await api(gateway, method, path);
        assert.deepEqual([reply.status, errorCode(reply)], [410, 'TASK_EXPIRED'], `${method} ${path}`);
      }
      const stats = scans.tasks.stats();
      assert.deepEqual([stats.size, stats.swept, stats.tombstones], [0, 1, 1]);

      await collectGarbage();
      assert.equal(result.deref(), undefined, 'nothing holds the swept result any more');
    }));

  it('never sweeps a running task, however old it gets', () =>
    withScans({ ...SHORT_RETENTION, ...LONG_SCAN.env }, async (gateway) => {
      const { scans } = gateway.parts;
      const id = await startScan(gateway, LONG_SCAN.body);
      const sweepsBefore = scans.tasks.stats().sweeps;
      await waitFor(() => {
        const found = scans.lookup(id);
        return found.state === 'found' && Date.now() - found.task.createdAt > 1500;
      }, 'the task to outlive the retention time');
      const found = scans.lookup(id);
      assert.equal(found.state === 'found' && found.task.status, 'running');
      assert.ok(scans.tasks.stats().sweeps > sweepsBefore, 'sweeps ran meanwhile');
      await api(gateway, 'DELETE', `/api/tasks/${id}`);
    }));
});
