import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, errorCode, LONG_SCAN, SMALL_SCAN, waitForFinish, withScans } from '../support/scan-api.js';
import { TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';

const ALICE = { authorization: `Bearer ${TEST_API_KEYS[0]}` };
/** Bob sends his key as OpenAlgo's header. */
const BOB = { 'x-api-key': TEST_API_KEYS[1] };
const ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('jobs belong to the api key that made them', () => {
  it('another key sees none of a scan (404 everywhere, absent from its list), the admin sees all', () =>
    withScans({ SIM_SYMBOLS: '50' }, async (gateway) => {
      const started = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN, headers: ALICE });
      assert.equal(started.status, 202);
      const { id } = started.body as { id: string };
      await waitForFinish(gateway, id);

      for (const [method, path] of [
        ['GET', `/api/tasks/${id}`],
        ['GET', `/api/tasks/${id}/log`],
        ['GET', `/api/tasks/${id}/log/stream`],
        ['DELETE', `/api/tasks/${id}`],
      ] as const) {
        const reply = await api(gateway, method, path, { headers: BOB });
        assert.deepEqual([reply.status, errorCode(reply)], [404, 'TASK_NOT_FOUND'], `${method} ${path}`);
      }
      const bobs = await api(gateway, 'GET', '/api/tasks', { headers: BOB });
      assert.deepEqual((bobs.body as { tasks: unknown[] }).tasks, []);
      const cleared = await api(gateway, 'POST', '/api/tasks/clear-results', { headers: BOB });
      assert.deepEqual(cleared.body, { cleared: 0 }, "Bob cannot clear Alice's results");

      const alices = await api(gateway, 'GET', '/api/tasks', { headers: ALICE });
      assert.deepEqual(
        (alices.body as { tasks: { id: string }[] }).tasks.map((t) => t.id),
        [id],
      );
      const asAdmin = await api(gateway, 'GET', `/api/tasks/${id}`, { headers: ADMIN });
      assert.equal((asAdmin.body as { status: string }).status, 'completed');
      assert.ok((asAdmin.body as { result: unknown }).result, 'the result is still there');
    }));

  it('refuses the job routes without a valid key (401) and counts wrong keys', () =>
    withScans({}, async (gateway) => {
      const none = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN, anonymous: true });
      assert.deepEqual([none.status, errorCode(none)], [401, 'UNAUTHORIZED']);
      const wrong = await api(gateway, 'GET', '/api/tasks', {
        headers: { authorization: 'Bearer not-a-key-000' },
      });
      assert.deepEqual([wrong.status, errorCode(wrong)], [401, 'UNAUTHORIZED']);
      assert.equal(gateway.stats().auth.failures, 1);
    }));

  it('limits the scans one key has pending or running (429 with Retry-After); other keys go on', () =>
    withScans(
      { ...LONG_SCAN.env, MAX_ACTIVE_SCANS_PER_KEY: '1', MAX_CONCURRENT_SCANS: '1' },
      async (gateway) => {
        const first = await api(gateway, 'POST', '/api/scans', { body: LONG_SCAN.body, headers: ALICE });
        assert.equal(first.status, 202);
        const second = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN, headers: ALICE });
        assert.deepEqual([second.status, errorCode(second)], [429, 'TOO_MANY_JOBS']);
        assert.ok(Number(second.headers.get('retry-after')) > 0);
        const bobs = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN, headers: BOB });
        assert.equal(bobs.status, 202, "another key's scans are not held back");
        await api(gateway, 'DELETE', `/api/tasks/${(first.body as { id: string }).id}`, { headers: ALICE });
        await waitForFinish(gateway, (first.body as { id: string }).id);
        const again = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN, headers: ALICE });
        assert.equal(again.status, 202, 'a slot of the key is free again');
      },
    ));

  it("a manual report is its key's; scheduled reports are everyone's", () =>
    withScans({ SIM_SYMBOLS: '50' }, async (gateway) => {
      const manual = await api(gateway, 'POST', '/api/reports', { headers: ALICE });
      assert.equal(manual.status, 201);
      const { id } = manual.body as { id: string };
      const scheduled = await gateway.parts.reports.generate('auto');

      const hidden = await api(gateway, 'GET', `/api/reports/${id}`, { headers: BOB });
      assert.deepEqual([hidden.status, errorCode(hidden)], [404, 'REPORT_NOT_FOUND']);
      const page = await fetch(`${gateway.url}/reports/${id}?api_key=${TEST_API_KEYS[1]}`);
      assert.equal(page.status, 404, 'nor its page');
      const listed = async (headers: Record<string, string>) =>
        (
          (await api(gateway, 'GET', '/api/reports', { headers })).body as { reports: { id: string }[] }
        ).reports
          .map((r) => r.id)
          .sort();
      assert.deepEqual(await listed(BOB), [scheduled.id]);
      assert.deepEqual(await listed(ALICE), [id, scheduled.id].sort());
      assert.deepEqual(await listed(ADMIN), [id, scheduled.id].sort());
      const own = await fetch(`${gateway.url}/reports/${id}?api_key=${TEST_API_KEYS[0]}`);
      assert.equal(own.status, 200, 'a browser may pass the key as ?api_key=');
    }));

  it('market data is open by default, and needs a key with HTTP_MARKET_DATA_PUBLIC=false', async () => {
    await withScans({}, async (gateway) => {
      const open = await api(gateway, 'GET', '/api/symbols?exchange=SIM', { anonymous: true });
      assert.equal(open.status, 200);
    });
    await withScans({ HTTP_MARKET_DATA_PUBLIC: 'false' }, async (gateway) => {
      for (const path of ['/api/symbols?exchange=SIM', '/api/market/indices', '/api/dashboard']) {
        const closed = await api(gateway, 'GET', path, { anonymous: true });
        assert.deepEqual([closed.status, errorCode(closed)], [401, 'UNAUTHORIZED'], path);
      }
      const withKey = await api(gateway, 'GET', '/api/symbols?exchange=SIM', { headers: ALICE });
      assert.equal(withKey.status, 200);
    });
  });
});
