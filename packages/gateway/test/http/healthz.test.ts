import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway } from '../support/gateway-session.js';
import { api } from '../support/scan-api.js';

describe('GET /healthz', () => {
  it('answers 200 ok with the memory level, without any credentials', () =>
    withGateway({}, async (gateway) => {
      const { status, body } = await api(gateway, 'GET', '/healthz');
      assert.equal(status, 200);
      const health = body as { status: string; memory: string; uptimeSeconds: number };
      assert.equal(health.status, 'ok');
      assert.deepEqual((body as { faults: string[] }).faults, []);
      assert.ok(['OK', 'WARNING', 'HIGH'].includes(health.memory), health.memory);
      assert.equal(typeof health.uptimeSeconds, 'number');
    }));
});
