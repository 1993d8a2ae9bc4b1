import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpErrorBody } from '../../src/http/http-errors.js';
import { withGateway } from '../support/gateway-session.js';
import { api } from '../support/scan-api.js';

describe('unknown HTTP routes', () => {
  for (const path of ['/nope', '/api', '/stats/extra', '/healthz/']) {
    it(`answer GET ${path} with 404 NOT_FOUND in the error shape`, () =>
      withGateway({}, async (gateway) => {
        const { status, body } = await api(gateway, 'GET', path);
        assert.equal(status, 404);
        const { error } = body as HttpErrorBody;
        assert.deepEqual(Object.keys(body as object), ['error']);
        assert.deepEqual(Object.keys(error).sort(), ['code', 'message']);
        assert.equal(error.code, 'NOT_FOUND');
        assert.equal(typeof error.message, 'string');
      }));
  }

  it('answer a method the route does not take with 404 NOT_FOUND', () =>
    withGateway({}, async (gateway) => {
      const response = await fetch(`${gateway.url}/healthz`, { method: 'DELETE' });
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as HttpErrorBody).error.code, 'NOT_FOUND');
    }));
});
