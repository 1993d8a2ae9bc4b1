import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@steadystate/lifecycle/testing';
import {
  api,
  getTask,
  logFile,
  LONG_SCAN,
  readLogToEnd,
  startScan,
  waitUntilScanning,
  withScans,
} from '../support/scan-api.js';

describe('cancelling a scan mid-way', () => {
  it('stops it between symbols, releases its exchange lease and ends its log with "scan cancelled"', () =>
    withScans(LONG_SCAN.env, async (gateway, config) => {
      const { exchanges, scans, logs } = gateway.parts;
      const id = await startScan(gateway, LONG_SCAN.body);
      await waitUntilScanning(gateway, id);
      assert.equal(exchanges.stats().leases, 1, 'the running scan holds its exchange client');

      const reply = await api(gateway, 'DELETE', `/api/tasks/${id}`);
      assert.deepEqual(reply.body, { id, action: 'cancelled' });
      const task = await getTask(gateway, id);
      assert.equal(task.status, 'cancelled');
      const progress = task.progress;
      assert.ok(
        progress && progress.total === 3000 && progress.done < progress.total,
        'it was stopped mid-way',
      );

      await waitFor(() => scans.logComplete(id) && exchanges.stats().leases === 0, 'the scan to stop');
      const stats = scans.tasks.stats();
      assert.deepEqual(
        [stats.slotsInUse, stats.abandoned],
        [0, 0],
        'it stopped by itself, in its grace time',
      );
      assert.equal(exchanges.stats().clients, 1, 'the client stays cached for the next scan');

      const log = (await readLogToEnd(gateway, id)).map((c) => c.content).join('');
      const lines = log.trimEnd().split('\n');
      assert.match(lines.at(-1) ?? '', /^\S+ scan cancelled$/);
      assert.ok(
        !log.includes(' ranked ') && !log.includes(' scan completed'),
        'the scan never got to ranking',
      );

      // Nothing writes to the log after its last line.
      const size = statSync(logFile(config, id)).size;
      const appends = logs.stats().appends;
      await sleep(200);
      assert.deepEqual([statSync(logFile(config, id)).size, logs.stats().appends], [size, appends]);
      assert.equal((await getTask(gateway, id)).status, 'cancelled');
    }));
});
