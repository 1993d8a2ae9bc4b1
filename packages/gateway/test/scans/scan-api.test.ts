import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { silentLogger } from '@steadystate/lifecycle';
import { ExchangeCatalog, type ExchangeEntry } from '../../src/upstream/exchange-catalog.js';
import { SimAdapter } from '../../src/upstream/sim/sim-adapter.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';
import {
  api,
  errorCode,
  getTask,
  logFile,
  LONG_SCAN,
  SMALL_SCAN,
  startScan,
  waitForFinish,
  waitUntilScanning,
  withScans,
  type TaskView,
} from '../support/scan-api.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('POST /api/scans and GET /api/tasks/:id', () => {
  it('answers 202 with the task id and its URLs, then shows the task through to its result', () =>
    withScans({}, async (gateway) => {
      const reply = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN });
      assert.equal(reply.status, 202);
      const { id, ...rest } = reply.body as Record<string, string>;
      assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      assert.deepEqual(rest, {
        status: 'pending',
        status_url: `/api/tasks/${id}`,
        log_url: `/api/tasks/${id}/log`,
        stream_url: `/api/tasks/${id}/log/stream`,
      });

      const task = await waitForFinish(gateway, id ?? '');
      assert.equal(task.status, 'completed');
      assert.equal(task.id, id);
      assert.equal(task.label, 'scan SIM 2 symbols 1h');
      assert.ok(task.started_at !== null && task.finished_at !== null);
      assert.ok(task.created_at <= task.started_at && task.started_at <= task.finished_at);
      assert.deepEqual(task.progress && [task.progress.done, task.progress.total], [2, 2]);
      assert.deepEqual(task.result?.rows.map((r) => r.symbol).sort(), ['BTC/USDT', 'ETH/USDT']);
      assert.equal(task.error, null);
      assert.equal(task.result_cleared, false);
    }));

  it('shows a failed scan with its error and no result', () => {
    // PAPER is served to quote clients, but no scan client can be made for it.
    const market = new SimMarket({ symbolCount: 10 });
    const entry = (exchange: string): ExchangeEntry => ({
      exchange,
      broker: exchange.toLowerCase(),
      create: (sink) => new SimAdapter({ sink, market, logger: silentLogger }),
    });
    const catalog = new ExchangeCatalog([entry('SIM'), entry('PAPER')]);
    return withScans(
      {},
      async (gateway) => {
        const id = await startScan(gateway, { ...SMALL_SCAN, exchange: 'paper' });
        const task = await waitForFinish(gateway, id);
        assert.equal(task.status, 'failed');
        assert.equal(task.result, null);
        assert.ok(task.error && task.error.message.length > 0);
        assert.equal(gateway.parts.exchanges.stats().leases, 0);
      },
      { catalog },
    );
  });

  it('answers 404 TASK_NOT_FOUND for an id it never gave, on every task route', () =>
    withScans({}, async (gateway) => {
      const routes = [
        ['GET', `/api/tasks/${UNKNOWN_ID}`],
        ['DELETE', `/api/tasks/${UNKNOWN_ID}`],
        ['GET', `/api/tasks/${UNKNOWN_ID}/log`],
        ['GET', `/api/tasks/${UNKNOWN_ID}/log/stream`],
      ] as const;
      for (const [method, path] of routes) {
        const reply = await api(gateway, method, path);
        assert.deepEqual([reply.status, errorCode(reply)], [404, 'TASK_NOT_FOUND'], `${method} ${path}`);
      }
    }));

  it('answers 410 TASK_EXPIRED for a task dropped to keep MAX_RETAINED_TASKS', () =>
    withScans({ MAX_RETAINED_TASKS: '1' }, async (gateway) => {
      const first = await startScan(gateway, SMALL_SCAN);
      await waitForFinish(gateway, first);
      const second = await startScan(gateway, SMALL_SCAN);
      await waitForFinish(gateway, second);
      for (const path of [`/api/tasks/${first}`, `/api/tasks/${first}/log`]) {
        const reply = await api(gateway, 'GET', path);
        assert.deepEqual([reply.status, errorCode(reply)], [410, 'TASK_EXPIRED'], path);
      }
      assert.equal((await getTask(gateway, second)).status, 'completed');
    }));
});

describe('DELETE /api/tasks/:id', () => {
  it('cancels a running scan and a queued one (which then never starts)', () =>
    withScans({ ...LONG_SCAN.env, MAX_CONCURRENT_SCANS: '1' }, async (gateway) => {
      const running = await startScan(gateway, LONG_SCAN.body);
      const queued = await startScan(gateway, SMALL_SCAN);
      await waitUntilScanning(gateway, running);
      assert.equal((await getTask(gateway, queued)).status, 'pending');

      for (const id of [queued, running]) {
        const reply = await api(gateway, 'DELETE', `/api/tasks/${id}`);
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body, { id, action: 'cancelled' });
      }
      const [q, r] = [await getTask(gateway, queued), await getTask(gateway, running)];
      assert.deepEqual([q.status, q.started_at, q.result], ['cancelled', null, null]);
      assert.equal(r.status, 'cancelled');
      assert.ok(r.finished_at !== null && r.started_at !== null);
    }));

  it('drops a finished scan with its log: the id then answers 404 and the file is gone', () =>
    withScans({}, async (gateway, config) => {
      const id = await startScan(gateway, SMALL_SCAN);
      await waitForFinish(gateway, id);
      const file = logFile(config, id);
      assert.ok(existsSync(file), 'the scan wrote its log');

      const reply = await api(gateway, 'DELETE', `/api/tasks/${id}`);
      assert.deepEqual([reply.status, reply.body], [200, { id, action: 'removed' }]);
      assert.equal(existsSync(file), false);
      assert.equal(errorCode(await api(gateway, 'GET', `/api/tasks/${id}`)), 'TASK_NOT_FOUND');
      assert.equal(errorCode(await api(gateway, 'DELETE', `/api/tasks/${id}`)), 'TASK_NOT_FOUND');
      assert.deepEqual([gateway.parts.logs.stats().files, gateway.parts.logs.stats().locks.keys], [0, 0]);
    }));
});

describe('POST /api/tasks/clear-results', () => {
  it('drops the results of finished tasks, keeps the tasks, and answers how many', () =>
    withScans({}, async (gateway) => {
      const ids = [await startScan(gateway, SMALL_SCAN), await startScan(gateway, SMALL_SCAN)];
      for (const id of ids) await waitForFinish(gateway, id);

      const reply = await api(gateway, 'POST', '/api/tasks/clear-results');
      assert.deepEqual([reply.status, reply.body], [200, { cleared: 2 }]);
      for (const id of ids) {
        const task = await getTask(gateway, id);
        assert.deepEqual([task.status, task.result, task.result_cleared], ['completed', null, true]);
      }
      assert.deepEqual((await api(gateway, 'POST', '/api/tasks/clear-results')).body, { cleared: 0 });
    }));
});

describe('GET /api/tasks', () => {
  it('pages through the tasks newest first, without results, filtered by status', () =>
    withScans({}, async (gateway) => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await startScan(gateway, SMALL_SCAN));
        await waitForFinish(gateway, ids[i] ?? '');
      }
      const first = (await api(gateway, 'GET', '/api/tasks?limit=2')).body as {
        tasks: TaskView[];
        next_cursor: string | null;
      };
      assert.deepEqual(
        first.tasks.map((t) => t.id),
        [ids[2], ids[1]],
      );
      assert.ok(first.next_cursor);
      for (const task of first.tasks) {
        assert.equal('result' in task || 'error' in task, false, 'a page carries no results');
        assert.equal(task.status, 'completed');
      }
      const second = (await api(gateway, 'GET', `/api/tasks?limit=2&cursor=${first.next_cursor}`)).body as {
        tasks: TaskView[];
        next_cursor: string | null;
      };
      assert.deepEqual(
        second.tasks.map((t) => t.id),
        [ids[0]],
      );
      assert.equal(second.next_cursor, null);

      const failed = (await api(gateway, 'GET', '/api/tasks?status=failed')).body as { tasks: TaskView[] };
      assert.deepEqual(failed.tasks, []);
    }));
});
