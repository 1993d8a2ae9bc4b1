import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { assertNoLargeFields, createReport, getPage, pendingReports } from '../support/report-api.js';
import { REPORT_BACKENDS, withReportGateway, type ReportSession } from '../support/report-db.js';

/**
 * The database refuses the second insert of a save (report_contents) from a trigger: the first
 * (reports) must roll back with it, every time the save is tried, until the trigger goes.
 */
async function halfWriteRollsBack({ gateway, db }: ReportSession): Promise<void> {
  const { reports } = gateway.parts;
  await db.refuseContents();
  const { id } = await createReport(gateway, 202);
  assert.deepEqual(await db.rows(id), { reports: 0, contents: 0 }, 'the reports row rolled back');
  assert.equal(pendingReports(gateway), 1, 'the report waits on disk');
  assertNoLargeFields(gateway);

  const failures = reports.flusher.stats().failures;
  await waitFor(() => reports.flusher.stats().failures >= failures + 2, 'two more refused saves');
  assert.deepEqual(await db.rows(id), { reports: 0, contents: 0 }, 'still nothing half-written');

  await db.acceptContents();
  await waitFor(() => pendingReports(gateway) === 0, 'the flush job to save the report');
  assert.deepEqual(await db.rows(id), { reports: 1, contents: 1 }, 'saved whole');
  const page = await getPage(gateway, `/reports/${id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('<main lang="vi">'));
  assertNoLargeFields(gateway);
}

describe('a save is one transaction', () => {
  for (const backend of REPORT_BACKENDS) {
    it(`in ${backend}: a failing report_contents insert leaves no reports row; the retry saves both`, (t) =>
      withReportGateway(
        t,
        backend,
        { REPORT_SAVE_RETRIES: '0', REPORT_FLUSH_INTERVAL: '0.05' },
        halfWriteRollsBack,
      ));
  }
});
