import assert from 'node:assert/strict';
import type { Gateway } from '../../src/gateway.js';
import { LARGE_FIELDS } from '../../src/reports/report-content.js';
import { api } from './scan-api.js';
import { TEST_API_KEYS, TEST_AUTH } from './test-gateway.js';

/** What POST /api/reports answers. */
export interface ReportOutcome {
  id: string;
  status: 'saved' | 'queued';
  url: string;
}

/** POST /api/reports as `apiKey` (one report at a time per key), which must answer `expected` (201 saved, 202 queued). */
export async function createReport(
  gateway: Gateway,
  expected: 201 | 202,
  apiKey: string = TEST_API_KEYS[0],
): Promise<ReportOutcome> {
  const reply = await api(gateway, 'POST', '/api/reports', {
    body: {},
    headers: { authorization: `Bearer ${apiKey}` },
  });
  assert.equal(
    reply.status,
    expected,
    `POST /api/reports answered ${reply.status}: ${JSON.stringify(reply.body)}`,
  );
  const outcome = reply.body as ReportOutcome;
  assert.equal(outcome.status, expected === 201 ? 'saved' : 'queued');
  assert.equal(outcome.url, `/reports/${outcome.id}`);
  return outcome;
}

/**
 * The report job's state holds none of the large fields: `report` is null and no field of
 * LARGE_FIELDS appears anywhere in it, nor in the reports section of the stats.
 */
export function assertNoLargeFields(gateway: Gateway): void {
  const { state } = gateway.parts.reports;
  assert.equal(state.report, null, `the job state still holds a report (phase ${state.phase})`);
  const seen = JSON.stringify([state, gateway.stats().reports]);
  for (const field of LARGE_FIELDS) assert.equal(seen.includes(field), false, `${field} in the job state`);
}

/** GET of an HTML page: status, headers and the text. */
export async function getPage(
  gateway: Gateway,
  path: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${gateway.url}${path}`, { headers: TEST_AUTH });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Reports waiting on disk for the database, as the stats show them. */
export function pendingReports(gateway: Gateway): number {
  return gateway.stats().reports.pending;
}

/**
 * Watches the report job's state every millisecond until stop(): the large fields may be held
 * only while a report is being saved the first time (phase `saving`); every other phase, success,
 * failure or retry, must find `report` null. stop() returns the phases seen and any violation.
 */
export function watchReportState(gateway: Gateway): () => { phases: Set<string>; violations: string[] } {
  const phases = new Set<string>();
  const violations: string[] = [];
  const { state } = gateway.parts.reports;
  const timer = setInterval(() => {
    phases.add(state.phase);
    if (state.report !== null && state.phase !== 'saving')
      violations.push(`report held in phase ${state.phase}`);
  }, 1);
  // A test that fails before stop() must not keep its process alive.
  timer.unref();
  return () => {
    clearInterval(timer);
    return { phases, violations };
  };
}
