import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderBook, Ticker } from 'ccxt';
import { depthFromOrderBook, quoteFromTicker, tickFromCcxt } from '../../src/upstream/ccxt/ccxt-mapping.js';
import type { Tick } from '../../src/domain/tick.js';
import { unpackBook } from '../support/depth-book.js';

const NOW = 1_700_000_000_500;

const fullTicker = {
  symbol: 'BTC/USDT',
  info: {},
  timestamp: 1_700_000_000_000,
  datetime: '2023-11-14T22:13:20.000Z',
  high: 65_500,
  low: 64_000,
  bid: 65_000.4,
  bidVolume: 1.5,
  ask: 65_000.6,
  askVolume: 2.5,
  vwap: 65_010.2,
  open: 64_900,
  close: 65_000.5,
  last: 65_000.5,
  previousClose: 64_899.9,
  change: 100.5,
  percentage: 0.155,
  average: 64_950.25,
  baseVolume: 12_345.6,
  quoteVolume: 802_469_136,
  indexPrice: undefined,
  markPrice: undefined,
} as Ticker;

/** A ticker as sparse as some exchanges send: only a last price. */
const sparseTicker = { symbol: 'BTC/USDT', info: {}, last: 65_000.5 } as Ticker;

const book = (bids: number[][], asks: number[][]) =>
  ({ bids, asks, symbol: 'BTC/USDT' }) as unknown as OrderBook;

function assertAllFinite(tick: Tick): void {
  const quote: unknown[] = tick.quote ? Object.values(tick.quote) : [];
  const numbers = [tick.ltp, tick.ltt, tick.timestamp, ...quote];
  numbers.push(...(tick.depth?.buy ?? []), ...(tick.depth?.sell ?? []));
  for (const value of numbers)
    assert.ok(typeof value === 'number' && Number.isFinite(value), `${String(value)}`);
}

describe('ccxt mapping', () => {
  it('maps a full ticker to a level-2 tick', () => {
    const tick = tickFromCcxt('BINANCE', 'BTC/USDT', 2, fullTicker, undefined, 20, NOW);
    assert.deepEqual(tick, {
      exchange: 'BINANCE',
      symbol: 'BTC/USDT',
      timestamp: NOW,
      ltp: 65_000.5,
      ltt: 1_700_000_000_000,
      quote: {
        volume: 12_345.6,
        open: 64_900,
        high: 65_500,
        low: 64_000,
        close: 64_899.9,
        lastTradeQuantity: 0,
        averagePrice: 64_950.25,
        totalBuyQuantity: 1.5,
        totalSellQuantity: 2.5,
        change: 100.5,
        changePercent: 0.155,
        oi: 0,
        upperCircuit: 0,
        lowerCircuit: 0,
      },
    });
  });

  it('carries only ltp and ltt at level 1', () => {
    const tick = tickFromCcxt('BINANCE', 'BTC/USDT', 1, fullTicker, book([[1, 1]], [[2, 1]]), 20, NOW);
    assert.deepEqual(Object.keys(tick).sort(), ['exchange', 'ltp', 'ltt', 'symbol', 'timestamp']);
  });

  it('turns every missing number of a sparse ticker into 0 and stamps a missing time with now', () => {
    const tick = tickFromCcxt('BINANCE', 'BTC/USDT', 3, sparseTicker, book([], []), 20, NOW);
    assertAllFinite(tick);
    assert.equal(tick.ltp, 65_000.5);
    assert.equal(tick.ltt, NOW);
    assert.ok(tick.quote);
    assert.ok(Object.values(tick.quote).every((v) => v === 0));
    assert.deepEqual(tick.depth, { buy: [], sell: [] });
  });

  it('falls back: previous close to open, average to vwap, last to close; NaN becomes 0', () => {
    const quote = quoteFromTicker({ ...fullTicker, previousClose: undefined, average: undefined });
    assert.equal(quote.close, 64_900);
    assert.equal(quote.averagePrice, 65_010.2);
    const tick = tickFromCcxt(
      'X',
      'BTC/USDT',
      2,
      { ...sparseTicker, last: undefined, close: 7, high: NaN },
      undefined,
      5,
      NOW,
    );
    assert.equal(tick.ltp, 7);
    assert.equal(tick.quote?.high, 0);
  });

  it('maps an order book, best first, up to maxDepth, with order counts where sent', () => {
    const depth = depthFromOrderBook(
      book(
        [
          [100, 1, 3],
          [99, 2, 5],
          [98, 3, 1],
        ],
        [
          [101, 4],
          [102, 5],
        ],
      ),
      2,
    );
    assert.deepEqual(unpackBook(depth), {
      buy: [
        { price: 100, quantity: 1, orders: 3 },
        { price: 99, quantity: 2, orders: 5 },
      ],
      sell: [
        { price: 101, quantity: 4, orders: 0 },
        { price: 102, quantity: 5, orders: 0 },
      ],
    });
  });

  it('survives a malformed book: missing sides, bad entries, non-numbers', () => {
    const malformed = { bids: [[Number.NaN, 'x'], null], asks: undefined } as unknown as OrderBook;
    assert.deepEqual(unpackBook(depthFromOrderBook(malformed, 20)), {
      buy: [{ price: 0, quantity: 0, orders: 0 }],
      sell: [],
    });
  });

  it('leaves depth out at level 3 when no book arrived yet', () => {
    const tick = tickFromCcxt('BINANCE', 'BTC/USDT', 3, fullTicker, undefined, 20, NOW);
    assert.equal(tick.depth, undefined);
    assert.ok(tick.quote);
  });
});
