import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseApiKey,
  parseSubscribe,
  parseUnsubscribe,
  readRequestId,
  type MessageLimits,
} from '../../src/protocol/client-messages.js';
import { ErrorCode, ProtocolError } from '../../src/protocol/error-codes.js';
import { protocolError } from '../support/protocol-errors.js';

const limits: MessageLimits = { maxSymbolsPerRequest: 3, maxDepth: 20 };
const BTC = { symbol: 'BTC/USDT', exchange: 'SIM' };
const ETH = { symbol: 'ETH/USDT', exchange: 'SIM' };

const subscribe = (message: Record<string, unknown>, l: MessageLimits = limits) =>
  parseSubscribe({ action: 'subscribe', ...message }, l);
const unsubscribe = (message: Record<string, unknown>) =>
  parseUnsubscribe({ action: 'unsubscribe', ...message }, limits);

/** The message of an INVALID_PARAMETERS error, whose field path is the part clients can act on. */
function invalidParameters(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, ErrorCode.INVALID_PARAMETERS);
    return error.message;
  }
  assert.fail('expected INVALID_PARAMETERS, nothing was thrown');
}

describe('parseSubscribe', () => {
  it('reads the list form, with mode Quote and depth 5 by default', () => {
    assert.deepEqual(subscribe({ symbols: [BTC, ETH] }), { symbols: [BTC, ETH], mode: 2, depth: 5 });
  });

  it('reads the single-symbol form', () => {
    assert.deepEqual(subscribe({ symbol: 'SOL/USDT', exchange: 'SIM', mode: 1 }), {
      symbols: [{ symbol: 'SOL/USDT', exchange: 'SIM' }],
      mode: 1,
      depth: 5,
    });
  });

  it('upper-cases exchange codes and leaves symbols as given', () => {
    const request = subscribe({ symbols: [{ symbol: 'btc/usdt', exchange: 'sim' }] });
    assert.deepEqual(request.symbols, [{ symbol: 'btc/usdt', exchange: 'SIM' }]);
  });

  it('takes a mode label', () => {
    assert.equal(subscribe({ symbols: [BTC], mode: 'DEPTH' }).mode, 3);
  });

  it('answers INVALID_MODE for a boolean mode', () => {
    assert.throws(() => subscribe({ symbols: [BTC], mode: true }), protocolError(ErrorCode.INVALID_MODE));
  });

  it('takes depths from 1 to maxDepth', () => {
    assert.equal(subscribe({ symbols: [BTC], mode: 3, depth: 1 }).depth, 1);
    assert.equal(subscribe({ symbols: [BTC], mode: 3, depth: 20 }).depth, 20);
  });

  it('caps the default depth at maxDepth', () => {
    assert.equal(subscribe({ symbols: [BTC] }, { maxSymbolsPerRequest: 3, maxDepth: 3 }).depth, 3);
  });

  for (const depth of [0, 21, -1, 2.5, '5', true, [5]]) {
    it(`answers INVALID_PARAMETERS for depth ${JSON.stringify(depth)}`, () => {
      assert.throws(() => subscribe({ symbols: [BTC], depth }), protocolError(ErrorCode.INVALID_PARAMETERS));
    });
  }

  it('keeps a string or numeric request_id and omits an absent one', () => {
    assert.equal(subscribe({ symbols: [BTC], request_id: 'r-1' }).requestId, 'r-1');
    assert.equal(subscribe({ symbols: [BTC], request_id: 7 }).requestId, 7);
    assert.equal('requestId' in subscribe({ symbols: [BTC] }), false);
  });

  for (const requestId of [{ id: 1 }, ['r'], true, 'x'.repeat(129)]) {
    it(`answers INVALID_PARAMETERS for request_id ${JSON.stringify(requestId).slice(0, 20)}`, () => {
      assert.throws(
        () => subscribe({ symbols: [BTC], request_id: requestId }),
        protocolError(ErrorCode.INVALID_PARAMETERS),
      );
    });
  }

  it('answers INVALID_PARAMETERS for neither form, or half of the single form', () => {
    assert.throws(() => subscribe({}), protocolError(ErrorCode.INVALID_PARAMETERS));
    assert.throws(() => subscribe({ symbol: 'BTC/USDT' }), protocolError(ErrorCode.INVALID_PARAMETERS));
    assert.throws(() => subscribe({ exchange: 'SIM' }), protocolError(ErrorCode.INVALID_PARAMETERS));
  });

  it('answers INVALID_PARAMETERS for an empty list', () => {
    assert.throws(() => subscribe({ symbols: [] }), protocolError(ErrorCode.INVALID_PARAMETERS));
  });

  it('answers MAX_SYMBOLS_REACHED for more symbols than a request may name', () => {
    const four = ['A', 'B', 'C', 'D'].map((base) => ({ symbol: `${base}/USDT`, exchange: 'SIM' }));
    assert.throws(() => subscribe({ symbols: four }), protocolError(ErrorCode.MAX_SYMBOLS_REACHED));
  });

  // Field paths are what a client developer needs to find the mistake, so they are checked here.
  const paths: [string, Record<string, unknown>, RegExp][] = [
    ['symbols not a list', { symbols: 'BTC/USDT' }, /^symbols: /],
    ['an entry not an object', { symbols: [BTC, 'ETH/USDT'] }, /^symbols\[1\]: /],
    ['a numeric symbol', { symbols: [{ symbol: 42, exchange: 'SIM' }] }, /^symbols\[0\]\.symbol: /],
    ['a missing exchange', { symbols: [BTC, { symbol: 'ETH/USDT' }] }, /^symbols\[1\]\.exchange: /],
    ['an exchange too long', { symbol: 'BTC/USDT', exchange: 'X'.repeat(33) }, /^exchange: /],
    ['a symbol with a space', { symbol: 'BTC USDT', exchange: 'SIM' }, /^symbol: /],
    ['a request_id object', { symbols: [BTC], request_id: {} }, /^request_id: /],
  ];
  for (const [what, message, path] of paths) {
    it(`names the field of ${what}`, () => {
      assert.match(
        invalidParameters(() => subscribe(message)),
        path,
      );
    });
  }
});

describe('parseUnsubscribe', () => {
  it("takes each entry's mode, then the top-level mode, then none (= every mode)", () => {
    const request = unsubscribe({
      symbols: [
        { ...BTC, mode: 1 },
        { ...ETH, mode: 'Depth' },
        { symbol: 'SOL/USDT', exchange: 'sim' },
      ],
      mode: 2,
    });
    assert.deepEqual(
      request.symbols.map((s) => [s.symbol, s.exchange, s.mode]),
      [
        ['BTC/USDT', 'SIM', 1],
        ['ETH/USDT', 'SIM', 3],
        ['SOL/USDT', 'SIM', 2],
      ],
    );
  });

  it('leaves the mode undefined when neither the entry nor the message gives one', () => {
    assert.deepEqual(unsubscribe({ symbols: [BTC] }).symbols, [{ ...BTC, mode: undefined }]);
  });

  it('reads the single form with and without a mode', () => {
    assert.deepEqual(unsubscribe({ ...BTC, mode: 3 }).symbols, [{ ...BTC, mode: 3 }]);
    assert.deepEqual(unsubscribe({ ...BTC }).symbols, [{ ...BTC, mode: undefined }]);
  });

  it('keeps the request_id', () => {
    assert.equal(unsubscribe({ ...BTC, request_id: 'u-1' }).requestId, 'u-1');
  });

  it('answers INVALID_MODE for a bad mode in an entry or at the top level', () => {
    assert.throws(
      () => unsubscribe({ symbols: [{ ...BTC, mode: 9 }] }),
      protocolError(ErrorCode.INVALID_MODE),
    );
    assert.throws(() => unsubscribe({ ...BTC, mode: false }), protocolError(ErrorCode.INVALID_MODE));
  });

  it('answers INVALID_PARAMETERS for an empty list and MAX_SYMBOLS_REACHED for too many', () => {
    assert.throws(() => unsubscribe({ symbols: [] }), protocolError(ErrorCode.INVALID_PARAMETERS));
    assert.throws(
      () => unsubscribe({ symbols: [BTC, ETH, BTC, ETH] }),
      protocolError(ErrorCode.MAX_SYMBOLS_REACHED),
    );
  });

  it('names the field of a bad entry', () => {
    assert.match(
      invalidParameters(() => unsubscribe({ symbols: [BTC, { symbol: 'ETH/USDT', exchange: 5 }] })),
      /^symbols\[1\]\.exchange: /,
    );
  });
});

describe('parseApiKey', () => {
  it('reads api_key, and apikey as some clients spell it', () => {
    assert.equal(parseApiKey({ api_key: 'key-aaaa-1111' }), 'key-aaaa-1111');
    assert.equal(parseApiKey({ apikey: 'key-bbbb-2222' }), 'key-bbbb-2222');
  });

  for (const message of [
    {},
    { api_key: '' },
    { api_key: null },
    { api_key: 42 },
    { api_key: 'k'.repeat(513) },
  ]) {
    it(`answers AUTHENTICATION_ERROR for ${JSON.stringify(message).slice(0, 24)}`, () => {
      assert.throws(() => parseApiKey(message), protocolError(ErrorCode.AUTHENTICATION_ERROR));
    });
  }
});

describe('readRequestId', () => {
  it('echoes strings and numbers and ignores anything else', () => {
    assert.equal(readRequestId({ request_id: 'abc' }), 'abc');
    assert.equal(readRequestId({ request_id: 0 }), 0);
    assert.equal(readRequestId({ request_id: { nested: true } }), undefined);
    assert.equal(readRequestId({}), undefined);
  });
});
