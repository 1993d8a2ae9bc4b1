import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HealthFault } from '../../src/http/health-route.js';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { GatewayConfig } from '../../src/config/config.js';
import type { Gateway } from '../../src/gateway.js';
import { LARGE_FIELDS, type GeneratedReport } from '../../src/reports/report-content.js';
import { assertNoLargeFields, createReport, getPage, pendingReports } from '../support/report-api.js';
import { withReportGateway } from '../support/report-db.js';
import { api, errorCode } from '../support/scan-api.js';
import { startTestGateway } from '../support/test-gateway.js';

/** One retry (after 500 ms) before a report waits on disk; the waiting ones are retried every 100 ms. */
const ENV = { REPORT_SAVE_RETRIES: '1', REPORT_FLUSH_INTERVAL: '0.1' };

/** The files of the reports waiting on disk. */
function pendingFiles(config: GatewayConfig): string[] {
  return readdirSync(join(config.dataDir, 'pending-reports')).filter((f) => f.endsWith('.json'));
}

/** POST /api/reports while the database is away: 202, and the report waits whole on disk, not in memory. */
async function queueReport(gateway: Gateway, config: GatewayConfig): Promise<string> {
  const { id } = await createReport(gateway, 202);
  const { state } = gateway.parts.reports;
  assert.deepEqual([state.phase, state.attempts], ['queued', 2], 'the first attempt and one retry');
  assertNoLargeFields(gateway);
  assert.equal(pendingReports(gateway), 1);
  const files = pendingFiles(config);
  const file = files[0] ?? '';
  assert.ok(files.length === 1 && file.endsWith(`-${id}.json`), `pending files: ${files.join(', ')}`);
  const onDisk = JSON.parse(
    readFileSync(join(config.dataDir, 'pending-reports', file), 'utf8'),
  ) as GeneratedReport;
  for (const field of LARGE_FIELDS) assert.ok(onDisk[field].length > 0, `${field} on disk`);
  return id;
}

describe('PostgreSQL down during a save', () => {
  it('queues the report on disk (202); the flush job saves it once the database is back', (t) =>
    withReportGateway(
      t,
      'postgres',
      ENV,
      async ({ gateway, config, db, proxy }) => {
        assert.ok(proxy);
        const { reports } = gateway.parts;
        await gateway.parts.indices.computeNow();
        proxy.down();
        // Health sees the database gone at once, before any save has failed.
        const unreachable = await api(gateway, 'GET', '/healthz');
        assert.deepEqual(
          [unreachable.status, (unreachable.body as { faults: string[] }).faults],
          [200, [HealthFault.DATABASE_UNREACHABLE]],
        );
        const id = await queueReport(gateway, config);
        assert.deepEqual(await db.rows(id), { reports: 0, contents: 0 });

        const list = await api(gateway, 'GET', '/api/reports');
        assert.deepEqual([list.status, errorCode(list)], [503, 'DATABASE_UNAVAILABLE']);
        // Health reports the fault and stays 200: quotes are still served.
        const degraded = await api(gateway, 'GET', '/healthz');
        assert.equal(degraded.status, 200);
        assert.deepEqual(degraded.body, {
          ...(degraded.body as object),
          status: 'degraded',
          faults: [HealthFault.DATABASE_UNREACHABLE, HealthFault.REPORTS_WAITING],
        });
        // The flush job fails while the database is away, and keeps its schedule.
        const failures = reports.flusher.stats().failures;
        await waitFor(() => reports.flusher.stats().failures >= failures + 2, 'two failed flushes');
        assert.equal(pendingReports(gateway), 1);

        proxy.up();
        // The id leaves the queue first, then its file: wait for both.
        await waitFor(
          () => pendingReports(gateway) === 0 && pendingFiles(config).length === 0,
          'the flush job to save the report and remove its file',
        );
        assert.deepEqual(await db.rows(id), { reports: 1, contents: 1 });
        const saved = await api(gateway, 'GET', '/api/reports');
        assert.deepEqual(
          (saved.body as { reports: { id: string }[] }).reports.map((r) => r.id),
          [id],
        );
        const page = await getPage(gateway, `/reports/${id}?lang=en`);
        assert.equal(page.status, 200);
        assertNoLargeFields(gateway);
        // Its probe answer is reused for up to 5 s: health is ok again by the next one.
        await waitFor(
          async () => ((await api(gateway, 'GET', '/healthz')).body as { status: string }).status === 'ok',
          'health to be ok again',
          10_000,
        );
      },
      { viaProxy: true },
    ));

  it('keeps a waiting report across a restart; the next gateway saves it', (t) =>
    withReportGateway(
      t,
      'postgres',
      ENV,
      async ({ gateway, config, env, db, proxy }) => {
        assert.ok(proxy);
        proxy.down();
        const id = await queueReport(gateway, config);
        await gateway.close();
        proxy.up();

        const next = await startTestGateway(env);
        try {
          await waitFor(
            () => pendingReports(next.gateway) === 0 && pendingFiles(config).length === 0,
            'the restarted gateway to save the report',
          );
          assert.deepEqual(await db.rows(id), { reports: 1, contents: 1 });
        } finally {
          await next.gateway.close();
        }
      },
      { viaProxy: true },
    ));
});

describe('shutdown during a save backoff', () => {
  it('ends the backoff: the request answers 202 queued, the report waits on disk for the next start', (t) =>
    withReportGateway(
      t,
      'postgres',
      // Ten retries would back off for about eight minutes in all.
      { REPORT_SAVE_RETRIES: '10', REPORT_FLUSH_INTERVAL: '3600' },
      async ({ gateway, config, proxy }) => {
        assert.ok(proxy);
        proxy.down();
        const request = api(gateway, 'POST', '/api/reports', { body: {} });
        const { state } = gateway.parts.reports;
        await waitFor(() => state.phase === 'retrying', 'the first save to fail');
        await gateway.close();
        const reply = await request;
        assert.equal(reply.status, 202, JSON.stringify(reply.body));
        assert.equal((reply.body as { status: string }).status, 'queued');
        // The first attempt, and at most the retry due 500 ms after it, not the ten.
        assert.ok(state.attempts <= 2, `${state.attempts} attempts`);
        assertNoLargeFields(gateway);
        assert.equal(pendingFiles(config).length, 1);
      },
      { viaProxy: true },
    ));
});
