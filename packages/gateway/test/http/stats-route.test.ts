import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpErrorBody } from '../../src/http/http-errors.js';
import { withGateway } from '../support/gateway-session.js';
import { api } from '../support/scan-api.js';
import { adminRequest, connectAuthenticated } from '../support/market-session.js';
import { TEST_ADMIN_TOKEN } from '../support/test-gateway.js';

describe('GET /stats', () => {
  const refused: [string, Record<string, string>, number, string][] = [
    ['no Authorization header', {}, 401, 'UNAUTHORIZED'],
    ['a scheme other than Bearer', { authorization: `Basic ${TEST_ADMIN_TOKEN}` }, 401, 'UNAUTHORIZED'],
    ['an empty bearer token', { authorization: 'Bearer ' }, 401, 'UNAUTHORIZED'],
    ['a wrong bearer token', { authorization: 'Bearer not-the-admin-token' }, 403, 'FORBIDDEN'],
    ['the admin token in another header', { 'x-admin-token': TEST_ADMIN_TOKEN }, 401, 'UNAUTHORIZED'],
  ];
  for (const [what, headers, expected, code] of refused) {
    it(`answers ${expected} ${code} for ${what}`, () =>
      withGateway({}, async (gateway) => {
        const { status, body } = await api(gateway, 'GET', '/stats', { headers, anonymous: true });
        assert.equal(status, expected);
        assert.equal((body as HttpErrorBody).error.code, code);
        assert.equal('data' in (body as object), false);
      }));
  }

  it('answers 200 with the admin token, with the same sections as get_stats over WebSocket', () =>
    withGateway({}, async (gateway) => {
      const { status, body } = await api(gateway, 'GET', '/stats', {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      assert.equal(status, 200);
      const http = body as { type: string; data: Record<string, unknown> };
      assert.equal(http.type, 'stats');
      const client = await connectAuthenticated(gateway);
      const ws = (await adminRequest(client, 'get_stats')).data as Record<string, unknown>;
      assert.deepEqual(Object.keys(http.data).sort(), Object.keys(ws).sort());
      assert.deepEqual(
        Object.keys(http.data).sort(),
        Object.keys(gateway.stats()).sort(),
        'the typed stats object',
      );
      for (const section of [
        'ring_buffer',
        'clients',
        'subscriptions',
        'memory',
        'caches',
        'jobs',
        'leaks',
      ]) {
        assert.ok(section in http.data, `GET /stats lacks ${section}`);
      }
    }));
});
