import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway } from '../support/gateway-session.js';
import { createReport } from '../support/report-api.js';
import { TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';

describe('security headers', () => {
  it('the dashboard, its scripts, report pages and API answers refuse sniffing, framing and referrers', () =>
    withGateway({}, async (gateway) => {
      const report = await createReport(gateway, 201);
      const page = `${report.url}?api_key=${TEST_API_KEYS[0]}`;
      for (const path of [
        '/',
        '/dashboard/app.js',
        '/dashboard/style.css',
        page,
        '/healthz',
        '/no-such-route',
      ]) {
        const response = await fetch(`${gateway.url}${path}`);
        await response.arrayBuffer();
        const headers = response.headers;
        assert.equal(headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(headers.get('x-frame-options'), 'DENY', path);
        assert.equal(headers.get('referrer-policy'), 'no-referrer', path);
      }
      const stream = await fetch(`${gateway.url}/api/dashboard/stream?token=${TEST_ADMIN_TOKEN}`);
      assert.equal(stream.headers.get('x-content-type-options'), 'nosniff', 'the dashboard stream');
      await stream.body?.cancel();
      for (const path of ['/', page]) {
        const csp = (await fetch(`${gateway.url}${path}`)).headers.get('content-security-policy') ?? '';
        assert.match(csp, /frame-ancestors 'none'/, path);
      }
    }));
});
