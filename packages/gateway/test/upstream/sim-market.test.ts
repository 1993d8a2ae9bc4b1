import { GatewayErrorCode } from '../../src/errors.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '@steadystate/lifecycle';
import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '../../src/domain/candle.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';
import { unpackBook } from '../support/depth-book.js';

const T0 = 1_700_000_000_000;

describe('SimMarket options', () => {
  const bad: [string, unknown][] = [
    ['options', 'seed'],
    ['options', null],
    ['seed', { seed: -1 }],
    ['seed', { seed: 1.5 }],
    ['seed', { seed: 2 ** 32 }],
    ['seed', { seed: '1' }],
    ['symbolCount', { symbolCount: 2 }],
    ['symbolCount', { symbolCount: 100_001 }],
    ['symbolCount', { symbolCount: Infinity }],
    ['symbolCount', { symbolCount: NaN }],
    ['now', { now: 5 }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new SimMarket(options as never),
        (error: unknown) =>
          error instanceof TypeError && error instanceof InvalidOptionError && error.option === option,
      );
    });
  }
});

describe('SimMarket universe', () => {
  it('lists symbolCount unique USDT pairs, the three majors first', () => {
    for (const symbolCount of [3, 4, 2000]) {
      const { symbols } = new SimMarket({ symbolCount, seed: 5 });
      assert.equal(symbols.length, symbolCount);
      assert.deepEqual(symbols.slice(0, 3), ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
      assert.equal(new Set(symbols).size, symbolCount);
      for (const symbol of symbols.slice(3)) assert.match(symbol, /^[A-Z]{3,5}\/USDT$/);
    }
  });

  it('builds 100,000 unique symbols, none a major or USDT itself', () => {
    const { symbols } = new SimMarket({ symbolCount: 100_000 });
    assert.equal(new Set(symbols).size, 100_000);
    const bases = symbols.slice(3).map((s) => s.split('/')[0]);
    for (const reserved of ['BTC', 'ETH', 'SOL', 'USDT']) assert.equal(bases.includes(reserved), false);
  });

  it('is the same for the same seed, different for another, and a smaller universe is a prefix', () => {
    const a = new SimMarket({ seed: 11, symbolCount: 500 }).symbols;
    assert.deepEqual(new SimMarket({ seed: 11, symbolCount: 500 }).symbols, a);
    assert.notDeepEqual(new SimMarket({ seed: 12, symbolCount: 500 }).symbols, a);
    assert.deepEqual(new SimMarket({ seed: 11, symbolCount: 100 }).symbols, a.slice(0, 100));
  });

  it('rejects an unknown symbol with UNKNOWN_SYMBOL', () => {
    const market = new SimMarket({ symbolCount: 3 });
    assert.equal(market.has('DOGE/USDT'), false);
    for (const ask of [() => market.price('DOGE/USDT', T0), () => market.candles('DOGE/USDT', '1m', 1, T0)]) {
      assert.throws(
        ask,
        (e: unknown) => e instanceof UpstreamError && e.code === GatewayErrorCode.UNKNOWN_SYMBOL,
      );
    }
  });
});

describe('SimMarket prices', () => {
  it('starts the majors near their realistic prices', () => {
    const market = new SimMarket();
    const near = (symbol: string, price: number) => {
      const ratio = market.price(symbol, T0) / price;
      assert.ok(ratio > 0.7 && ratio < 1.4, `${symbol} at ${market.price(symbol, T0)}`);
    };
    near('BTC/USDT', 65_000);
    near('ETH/USDT', 3_500);
    near('SOL/USDT', 150);
  });

  it('depends only on (seed, symbol, time): not on the universe size or what was asked before', () => {
    const small = new SimMarket({ seed: 3, symbolCount: 3 });
    const large = new SimMarket({ seed: 3, symbolCount: 50_000 });
    const times = Array.from({ length: 50 }, (_, i) => T0 + i * 500);
    for (const symbol of large.symbols.slice(3, 20)) large.price(symbol, T0);
    const fromSmall = times.map((t) => small.price('ETH/USDT', t));
    const fromLarge = [...times]
      .reverse()
      .map((t) => large.price('ETH/USDT', t))
      .reverse();
    assert.deepEqual(fromLarge, fromSmall);
    const other = times.map((t) => new SimMarket({ seed: 4, symbolCount: 3 }).price('ETH/USDT', t));
    assert.notDeepEqual(other, fromSmall);
  });

  it('walks in small steps with clean decimals', () => {
    const market = new SimMarket({ seed: 9, symbolCount: 50 });
    for (const symbol of market.symbols) {
      let previous = market.price(symbol, T0);
      for (let i = 1; i <= 200; i++) {
        const price = market.price(symbol, T0 + i * 500);
        assert.ok(price > 0 && Number.isFinite(price));
        assert.ok(Math.abs(price / previous - 1) < 0.01, `${symbol} jumped from ${previous} to ${price}`);
        assert.ok(String(price).length <= 14, `${symbol} price ${price} carries float noise`);
        previous = price;
      }
    }
  });
});

describe('SimMarket candles', () => {
  const market = new SimMarket({ seed: 21, symbolCount: 10 });
  const end = T0 + 12_345_678;

  for (const timeframe of TIMEFRAMES) {
    it(`${timeframe}: aligned, increasing, ending with the candle in progress, high and low bounding the body`, () => {
      const length = TIMEFRAME_MS[timeframe];
      const candles = market.candles('SOL/USDT', timeframe, 100, end);
      assert.equal(candles.length, 100);
      const last = candles.at(-1);
      assert.ok(last);
      assert.ok(last[0] <= end && end < last[0] + length);
      assert.equal(last[4], market.price('SOL/USDT', end));
      candles.forEach(([timestamp, open, high, low, close, volume], i) => {
        assert.equal(timestamp % length, 0);
        if (i > 0) assert.equal(timestamp, (candles[i - 1]?.[0] ?? 0) + length);
        if (i < candles.length - 1) assert.equal(close, candles[i + 1]?.[1], 'a close is the next open');
        assert.ok(high >= Math.max(open, close) && low <= Math.min(open, close) && low > 0);
        assert.ok(volume > 0);
      });
    });
  }

  it('gives the same candles for the same seed, symbol and end time', () => {
    const again = new SimMarket({ seed: 21, symbolCount: 10_000 });
    assert.deepEqual(again.candles('BTC/USDT', '15m', 50, end), market.candles('BTC/USDT', '15m', 50, end));
    const shifted = market.candles('BTC/USDT', '15m', 50, end + 900_000);
    assert.deepEqual(shifted.slice(0, 48), market.candles('BTC/USDT', '15m', 50, end).slice(1, 49));
  });

  it('ends at the clock by default', () => {
    const atClock = new SimMarket({ seed: 21, symbolCount: 10, now: () => end });
    assert.deepEqual(atClock.candles('ETH/USDT', '1h', 3), market.candles('ETH/USDT', '1h', 3, end));
  });

  it('rejects a bad timeframe, limit or end time with a RangeError', () => {
    const bad = [
      () => market.candles('BTC/USDT', '2m' as Timeframe, 10, end),
      () => market.candles('BTC/USDT', '1m', 0, end),
      () => market.candles('BTC/USDT', '1m', 5001, end),
      () => market.candles('BTC/USDT', '1m', 1.5, end),
      () => market.candles('BTC/USDT', '1m', 10, -1),
      () => market.candles('BTC/USDT', '1m', 10, NaN),
    ];
    for (const call of bad) assert.throws(call, RangeError);
  });
});

describe('SimMarket order book', () => {
  it('has the levels asked for, best first, around the last price', () => {
    const market = new SimMarket({ seed: 2, symbolCount: 30 });
    for (const symbol of market.symbols) {
      const ltp = market.price(symbol, T0);
      const { buy, sell } = unpackBook(market.book(symbol, 20, T0));
      assert.equal(buy.length, 20);
      assert.equal(sell.length, 20);
      assert.ok(
        (buy[0]?.price ?? Infinity) < ltp && ltp <= (sell[0]?.price ?? 0),
        `${symbol} book straddles ${ltp}`,
      );
      for (let i = 1; i < 20; i++) {
        assert.ok((buy[i]?.price ?? Infinity) < (buy[i - 1]?.price ?? 0), 'bids descend');
        assert.ok((sell[i]?.price ?? 0) > (sell[i - 1]?.price ?? Infinity), 'asks ascend');
      }
      for (const level of [...buy, ...sell]) {
        assert.ok(level.price > 0 && level.quantity > 0);
        assert.ok(Number.isInteger(level.orders) && level.orders >= 1);
      }
    }
  });

  it('is deterministic and refuses a bad level count', () => {
    const a = new SimMarket({ seed: 2, symbolCount: 3 });
    const b = new SimMarket({ seed: 2, symbolCount: 3000 });
    assert.deepEqual(a.book('BTC/USDT', 5, T0), b.book('BTC/USDT', 5, T0));
    assert.throws(() => a.book('BTC/USDT', 0, T0), RangeError);
    assert.throws(() => a.book('BTC/USDT', 1001, T0), RangeError);
  });
});
