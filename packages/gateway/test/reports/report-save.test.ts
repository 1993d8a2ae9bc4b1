import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { LARGE_FIELDS, type ReportContent, type ReportSummary } from '../../src/reports/report-content.js';
import { LABELS } from '../../src/reports/report-i18n.js';
import { assertNoLargeFields, createReport, getPage } from '../support/report-api.js';
import { REPORT_BACKENDS, withReportGateway, type ReportSession } from '../support/report-db.js';
import { api } from '../support/scan-api.js';

const SUMMARY_KEYS = ['created_at', 'id', 'kind', 'owner', 'size_bytes', 'summary', 'title'];

/** The one body both databases run: save, list, read the metadata, view the page. */
async function saveListView({ gateway, db }: ReportSession): Promise<void> {
  await gateway.parts.indices.computeNow(); // the report has indices to show, not "no data"
  const first = await createReport(gateway, 201);
  assertNoLargeFields(gateway);
  assert.deepEqual(await db.rows(first.id), { reports: 1, contents: 1 });
  const second = await createReport(gateway, 201);
  assertNoLargeFields(gateway);

  const list = await api(gateway, 'GET', '/api/reports');
  assert.equal(list.status, 200);
  const { reports, next_before } = list.body as { reports: ReportSummary[]; next_before: string | null };
  assert.deepEqual(
    reports.map((r) => r.id),
    [second.id, first.id],
    'newest first',
  );
  assert.equal(next_before, null, 'everything fit in one page');
  for (const report of reports) {
    assert.deepEqual(Object.keys(report).sort(), SUMMARY_KEYS, 'a list entry carries no content');
    assert.equal(report.kind, 'manual');
    assert.ok(report.size_bytes > 0);
    assert.equal(report.summary.exchange, 'SIM');
  }
  for (const field of LARGE_FIELDS) assert.equal(JSON.stringify(list.body).includes(field), false);

  const page1 = await api(gateway, 'GET', '/api/reports?limit=1');
  const cursor = (page1.body as { next_before: string }).next_before;
  assert.equal(cursor, `${reports[0]?.created_at}_${second.id}`);
  const page2 = await api(gateway, 'GET', `/api/reports?limit=1&before=${cursor}`);
  assert.deepEqual(
    (page2.body as { reports: ReportSummary[] }).reports.map((r) => r.id),
    [first.id],
  );

  const meta = await api(gateway, 'GET', `/api/reports/${first.id}`);
  assert.equal(meta.status, 200);
  assert.deepEqual(meta.body, { ...reports[1], url: first.url });

  for (const lang of ['vi', 'en'] as const) {
    const page = await getPage(gateway, `${first.url}?lang=${lang}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.ok(page.text.startsWith('<!doctype html>'));
    assert.ok(page.text.includes(`<html lang="${lang}">`));
    assert.ok(page.text.includes(`<main lang="${lang}">`), `the ${lang} content`);
    assert.ok(page.text.includes(`<h1>${LABELS[lang].title}</h1>`));
    assert.equal((page.text.match(/<svg /g) ?? []).length, 2, 'both charts');
    assert.match(page.text, /<style>[^<]+<\/style>/, 'the css field, inline');
    assert.match(page.text, /<script>[^<]+<\/script>/, 'the js field, inline');
  }
  const byDefault = await getPage(gateway, first.url);
  assert.ok(byDefault.text.includes('<main lang="vi">'), 'Vietnamese unless asked otherwise');

  const stats = gateway.stats().reports;
  assert.deepEqual([stats.database, stats.saved, stats.pending], [db.backend, 2, 0]);
}

/** Reports created in the same millisecond: paging one at a time still lists each once. */
async function pagingKeepsTies({ gateway }: ReportSession): Promise<void> {
  const createdAt = Date.now();
  const content: ReportContent = {
    html_content: '<p>x</p>',
    css_content: 'p{}',
    js_content: '',
    html_content_en: '<p>x</p>',
    js_content_en: '',
  };
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  for (const id of ids) {
    await gateway.parts.repository.save({
      id,
      created_at: createdAt,
      kind: 'auto',
      owner: null,
      title: 't',
      summary: {},
      ...content,
    });
  }
  const seen: string[] = [];
  let path = '/api/reports?limit=1';
  for (;;) {
    const page = await api(gateway, 'GET', path);
    assert.equal(page.status, 200);
    const body = page.body as { reports: ReportSummary[]; next_before: string | null };
    seen.push(...body.reports.map((r) => r.id));
    if (body.next_before === null) break;
    assert.ok(seen.length <= ids.length, 'paging ends');
    path = `/api/reports?limit=1&before=${body.next_before}`;
  }
  assert.deepEqual(seen, [...ids].sort().reverse(), 'each report once, ties in id order');
}

describe('manual reports', () => {
  for (const backend of REPORT_BACKENDS) {
    it(`are saved in ${backend}, listed without their content and viewable in both languages`, (t) =>
      withReportGateway(t, backend, {}, saveListView));
    it(`in ${backend}: pages back through reports of the same millisecond without skipping one`, (t) =>
      withReportGateway(t, backend, {}, pagingKeepsTies));
  }
});
