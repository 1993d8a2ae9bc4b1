import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { raceAbort } from '@steadystate/lifecycle';
import { backoffDelay } from '../../src/upstream/ccxt/backoff.js';
import { createCcxtExchange } from '../../src/upstream/ccxt/ccxt-exchange.js';

describe('backoffDelay', () => {
  it('doubles from the base per failure up to the cap, scaled by 0.5 to 1', () => {
    const high = () => 1 - Number.EPSILON;
    const low = () => 0;
    assert.deepEqual(
      [1, 2, 3, 4, 10].map((n) => backoffDelay(n, 100, 1000, high)),
      [100, 200, 400, 800, 1000],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffDelay(n, 100, 1000, low)),
      [50, 100, 200],
    );
    assert.equal(backoffDelay(10_000, 100, 60_000, high), 60_000);
  });
});

describe('raceAbort', () => {
  it('settles like the promise and removes its abort listener', async () => {
    const controller = new AbortController();
    assert.equal(await raceAbort(Promise.resolve(7), controller.signal), 7);
    await assert.rejects(raceAbort(Promise.reject(new Error('no')), controller.signal), /no/);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('rejects as soon as the signal aborts, and the abandoned promise cannot go unhandled', async () => {
    const controller = new AbortController();
    let fail!: (error: Error) => void;
    const pending = new Promise<never>((_, reject) => (fail = reject));
    const raced = raceAbort(pending, controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    controller.abort(new Error('stopped'));
    await assert.rejects(raced, /stopped/);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    fail(new Error('late failure'));
    await assert.rejects(raceAbort(Promise.reject(new Error('x')), controller.signal), /stopped/);
  });
});

describe('createCcxtExchange', () => {
  it("creates ccxt pro's class where there is one, with the rate limiter on", async () => {
    const exchange = await createCcxtExchange('binance');
    assert.equal(exchange.id, 'binance');
    assert.equal(exchange.has['watchTicker'], true);
    assert.equal(exchange.enableRateLimit, true);
    await exchange.close();
  });

  it('rejects an id ccxt does not know, including names of its other exports', async () => {
    for (const id of ['nosuchexchange', 'Exchange', 'errors']) await assert.rejects(createCcxtExchange(id));
  });
});
