import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Gateway } from '../../src/gateway.js';
import {
  api,
  readLogToEnd,
  SMALL_SCAN,
  startScan,
  waitForFinish,
  waitUntilScanning,
  withScans,
} from '../support/scan-api.js';

/** The session-log counters of GET /stats' `tasks` section. */
function logStats(gateway: Gateway): { write_errors: number; read_errors: number } {
  return gateway.stats().tasks.logs;
}

describe('a logs directory that stops being writable', () => {
  it('lets the running scan complete, counts the failed writes, and logs again once it is back', () =>
    withScans({ SIM_SYMBOLS: '300' }, async (gateway, config) => {
      const directory = config.logs.directory;
      const id = await startScan(gateway, { top: 300, timeframe: '1h', candles: 200 });
      await waitUntilScanning(gateway, id);
      // The tests run as root, for whom permissions do not stop a write: a regular file in the
      // directory's place does (ENOTDIR).
      renameSync(directory, `${directory}.away`);
      writeFileSync(directory, 'not a directory');
      try {
        const task = await waitForFinish(gateway, id);
        assert.equal(task.status, 'completed');
        assert.equal(task.result?.rows.length, 300);
        assert.ok(logStats(gateway).write_errors > 0, 'the failed appends were counted');
        // Its log cannot be read now either: an empty answer, not an error.
        const reply = await api(gateway, 'GET', `/api/tasks/${id}/log`);
        assert.equal(reply.status, 200);
        assert.equal(gateway.parts.exchanges.stats().leases, 0);
      } finally {
        rmSync(directory);
        renameSync(`${directory}.away`, directory);
      }

      const errors = logStats(gateway).write_errors;
      const next = await startScan(gateway, SMALL_SCAN);
      assert.equal((await waitForFinish(gateway, next)).status, 'completed');
      const log = (await readLogToEnd(gateway, next)).map((c) => c.content).join('');
      assert.match(log, / scan completed\n$/);
      assert.equal(logStats(gateway).write_errors, errors, 'no failure once the directory is back');
      // The earlier scan's log holds what was written before the directory went.
      const earlier = (await readLogToEnd(gateway, id)).map((c) => c.content).join('');
      assert.match(earlier, / scan started: /);
      assert.doesNotMatch(earlier, / scan completed/);
    }));
});
