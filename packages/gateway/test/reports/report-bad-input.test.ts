import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpErrorBody } from '../../src/http/http-errors.js';
import { createReport } from '../support/report-api.js';
import { withReportGateway } from '../support/report-db.js';
import { api, errorCode } from '../support/scan-api.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface BadRequest {
  what: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** The field the error names, where one is to blame. */
  field?: string;
}

const BAD_REQUESTS: BadRequest[] = [
  {
    what: 'an unknown report id',
    method: 'GET',
    path: `/api/reports/${UNKNOWN_ID}`,
    status: 404,
    code: 'REPORT_NOT_FOUND',
  },
  {
    what: 'the page of an unknown report',
    method: 'GET',
    path: `/reports/${UNKNOWN_ID}`,
    status: 404,
    code: 'REPORT_NOT_FOUND',
  },
  {
    what: 'an id that is not a uuid',
    method: 'GET',
    path: '/api/reports/latest',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'id',
  },
  {
    what: 'a page id that is not a uuid',
    method: 'GET',
    path: '/reports/1%20OR%201=1',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'id',
  },
  {
    what: 'an unknown field in the body',
    method: 'POST',
    path: '/api/reports',
    body: { kind: 'auto' },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: '(body)',
  },
  {
    what: 'a JSON array body',
    method: 'POST',
    path: '/api/reports',
    body: [],
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a JSON string body',
    method: 'POST',
    path: '/api/reports',
    body: 'report',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a JSON number body',
    method: 'POST',
    path: '/api/reports',
    body: 42,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a JSON null body',
    method: 'POST',
    path: '/api/reports',
    raw: 'null',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a text body',
    method: 'POST',
    path: '/api/reports',
    raw: 'please',
    headers: { 'content-type': 'text/plain' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'invalid JSON',
    method: 'POST',
    path: '/api/reports',
    raw: '{"kind":',
    status: 400,
    code: 'INVALID_JSON',
  },
  {
    what: 'an empty JSON body',
    method: 'POST',
    path: '/api/reports',
    raw: '',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'INVALID_JSON',
  },
  {
    what: 'a body over the limit',
    method: 'POST',
    path: '/api/reports',
    body: { pad: 'x'.repeat(300_000) },
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    what: 'limit 0',
    method: 'GET',
    path: '/api/reports?limit=0',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  {
    what: 'limit 1000',
    method: 'GET',
    path: '/api/reports?limit=1000',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  {
    what: "limit 'x'",
    method: 'GET',
    path: '/api/reports?limit=x',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  {
    what: 'a fractional limit',
    method: 'GET',
    path: '/api/reports?limit=2.5',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  {
    what: 'before -1',
    method: 'GET',
    path: '/api/reports?before=-1',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'before',
  },
  {
    what: 'before a bare time, without the id',
    method: 'GET',
    path: '/api/reports?before=1795302596587',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'before',
  },
  {
    what: "before 'yesterday'",
    method: 'GET',
    path: '/api/reports?before=yesterday',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'before',
  },
  {
    what: "lang 'fr'",
    method: 'GET',
    path: `/reports/${UNKNOWN_ID}?lang=fr`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'lang',
  },
];

describe('bad input on the report routes', () => {
  it('answers each bad request with a clear 4xx, and the service carries on', (t) =>
    withReportGateway(t, 'sqlite', {}, async ({ gateway }) => {
      for (const bad of BAD_REQUESTS) {
        await t.test(`${bad.what}: ${bad.status} ${bad.code}`, async () => {
          const reply = await api(gateway, bad.method, bad.path, {
            ...(bad.body === undefined ? {} : { body: bad.body }),
            ...(bad.raw === undefined ? {} : { raw: bad.raw }),
            ...(bad.headers ? { headers: bad.headers } : {}),
          });
          assert.deepEqual([reply.status, errorCode(reply)], [bad.status, bad.code]);
          if (bad.field !== undefined) {
            const fields = (reply.body as HttpErrorBody).error.fields ?? [];
            assert.deepEqual(
              fields.map((f) => f.path),
              [bad.field],
            );
          }
        });
      }
      // Nothing above created, broke or half-wrote anything.
      assert.equal(gateway.parts.reports.state.attempts, 0, 'no report was attempted');
      const health = await api(gateway, 'GET', '/healthz');
      assert.equal(health.status, 200);
      const created = await createReport(gateway, 201);
      const withoutBody = await api(gateway, 'POST', '/api/reports');
      assert.equal(withoutBody.status, 201, 'no body at all is an empty request');
      const list = await api(gateway, 'GET', '/api/reports');
      assert.deepEqual(
        (list.body as { reports: { id: string }[] }).reports.map((r) => r.id).sort(),
        [created.id, (withoutBody.body as { id: string }).id].sort(),
      );
    }));
});
