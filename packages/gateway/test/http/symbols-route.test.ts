import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpErrorBody } from '../../src/http/http-errors.js';
import { withGateway } from '../support/gateway-session.js';
import { api } from '../support/scan-api.js';

const SYMBOLS = { SIM_SYMBOLS: '40' };

describe('GET /api/symbols', () => {
  for (const exchange of ['SIM', 'sim']) {
    it(`lists the SIM_SYMBOLS symbols of exchange=${exchange}, the majors included`, () =>
      withGateway(SYMBOLS, async (gateway) => {
        const { status, body } = await api(gateway, 'GET', `/api/symbols?exchange=${exchange}`);
        assert.equal(status, 200);
        const list = body as { exchange: string; broker: string; count: number; symbols: string[] };
        assert.equal(list.exchange, 'SIM');
        assert.equal(list.broker, 'sim');
        assert.equal(list.count, 40);
        assert.equal(list.symbols.length, 40);
        assert.equal(new Set(list.symbols).size, 40);
        for (const major of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'])
          assert.ok(list.symbols.includes(major), major);
      }));
  }

  const invalid: [string, string][] = [
    ['a missing exchange', ''],
    ['an empty exchange', '?exchange='],
    ['an exchange with a dash', '?exchange=S-I-M'],
    ['an exchange over 32 characters', `?exchange=${'X'.repeat(33)}`],
  ];
  for (const [what, query] of invalid) {
    it(`answers 400 VALIDATION_FAILED naming the field for ${what}`, () =>
      withGateway({}, async (gateway) => {
        const { status, body } = await api(gateway, 'GET', `/api/symbols${query}`);
        assert.equal(status, 400);
        const { error } = body as HttpErrorBody;
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.deepEqual(
          error.fields?.map((f) => f.path),
          ['exchange'],
        );
      }));
  }

  it('answers 404 UNKNOWN_EXCHANGE for an exchange the gateway does not serve', () =>
    withGateway({}, async (gateway) => {
      const { status, body } = await api(gateway, 'GET', '/api/symbols?exchange=NOWHERE');
      assert.equal(status, 404);
      assert.equal((body as HttpErrorBody).error.code, 'UNKNOWN_EXCHANGE');
    }));
});
