import { GatewayErrorCode } from '../../src/errors.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionError, silentLogger, StructureRegistry, type Logger } from '@steadystate/lifecycle';
import { trackTimers } from '@steadystate/lifecycle/testing';
import { UnsubscribeError, type Exchange, type OrderBook, type Ticker } from 'ccxt';
import { CcxtAdapter, type CcxtAdapterOptions } from '../../src/upstream/ccxt/ccxt-adapter.js';
import type { DataLevel, Tick } from '../../src/domain/tick.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';
import {
  DEPTH,
  SPOT_SYMBOLS,
  startFakeBinance,
  TICKER_24HR,
  type FakeBinance,
} from './support/fake-binance.js';
import { FakeWatch } from './support/fake-watch.js';
import { settle, waitFor } from '@steadystate/lifecycle/testing';
import { unpackBook } from '../support/depth-book.js';

const POLL_MS = 100;
const isCode = (code: string) => (e: unknown) => e instanceof UpstreamError && e.code === code;

function collecting(options: Partial<CcxtAdapterOptions> & Pick<CcxtAdapterOptions, 'createExchange'>) {
  const ticks: Tick[] = [];
  const adapter = new CcxtAdapter({
    exchangeId: 'binance',
    sink: (tick) => void ticks.push(tick),
    pollIntervalMs: POLL_MS,
    logger: silentLogger,
    ...options,
  });
  const of = (symbol: string) => ticks.filter((t) => t.symbol === symbol);
  return { adapter, ticks, of };
}

/** Counts calls of `exchange.close()` and still runs the real one. */
function spyOnClose(exchange: Exchange): { calls: number } {
  const spy = { calls: 0 };
  const close = exchange.close.bind(exchange);
  exchange.close = async () => {
    spy.calls++;
    await close();
  };
  return spy;
}

describe('CcxtAdapter options', () => {
  const sink = () => {};
  const bad: [string, Record<string, unknown>][] = [
    ['exchangeId', { sink }],
    ['exchangeId', { sink, exchangeId: 'Binance' }],
    ['exchangeId', { sink, exchangeId: '../binance' }],
    ['sink', { exchangeId: 'binance' }],
    ['pollIntervalMs', { sink, exchangeId: 'binance', pollIntervalMs: 99 }],
    ['pollIntervalMs', { sink, exchangeId: 'binance', pollIntervalMs: Infinity }],
    ['maxBackoffMs', { sink, exchangeId: 'binance', maxBackoffMs: 999 }],
    ['maxDepth', { sink, exchangeId: 'binance', maxDepth: 0 }],
    ['maxDepth', { sink, exchangeId: 'binance', maxDepth: 1001 }],
    ['maxSubscriptions', { sink, exchangeId: 'binance', maxSubscriptions: 0 }],
    ['maxSubscriptions', { sink, exchangeId: 'binance', maxSubscriptions: 10_001 }],
    ['createExchange', { sink, exchangeId: 'binance', createExchange: {} }],
    ['structures', { sink, exchangeId: 'binance', structures: [] }],
    ['logger', { sink, exchangeId: 'binance', logger: console.log }],
    ['now', { sink, exchangeId: 'binance', now: 0 }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new CcxtAdapter(options as never),
        (error: unknown) =>
          error instanceof TypeError && error instanceof InvalidOptionError && error.option === option,
      );
    });
  }

  it('names itself after the exchange and creates nothing until first used', async () => {
    let created = 0;
    const adapter = new CcxtAdapter({
      exchangeId: 'kraken',
      sink,
      createExchange: () => {
        created++;
        throw new Error('not needed');
      },
    });
    assert.deepEqual([adapter.name, adapter.exchange, adapter.maxDepth], ['ccxt:kraken', 'KRAKEN', 20]);
    assert.equal(adapter.status(), 'connecting');
    await adapter.close();
    assert.equal(created, 0);
  });
});

describe('CcxtAdapter polling a REST exchange (local fake of Binance)', () => {
  let fake: FakeBinance;
  before(async () => {
    fake = await startFakeBinance();
  });
  after(() => fake.close());

  it('loads the markets once and lists them', async () => {
    const { adapter } = collecting({ createExchange: () => fake.rest() });
    const before = fake.count('/api/v3/exchangeInfo');
    assert.deepEqual(await adapter.listSymbols(), SPOT_SYMBOLS);
    assert.equal(await adapter.hasSymbol('ETH/USDT'), true);
    assert.equal(await adapter.hasSymbol('DOGE/USDT'), false);
    assert.equal(fake.count('/api/v3/exchangeInfo') - before, 1);
    assert.equal(adapter.status(), 'connected');
    assert.equal(adapter.stats().mode, 'poll');
    await adapter.close();
  });

  it('delivers ticks of the subscribed level, parsed by ccxt', async () => {
    const { adapter, of } = collecting({ createExchange: () => fake.rest(), maxDepth: 2 });
    await adapter.subscribe('BTC/USDT', 1);
    await adapter.subscribe('ETH/USDT', 2);
    await adapter.subscribe('SOL/USDT', 3);
    await waitFor(() => SPOT_SYMBOLS.every((s) => of(s).length >= 2), 'two ticks per symbol');

    const ltp = Number(TICKER_24HR.lastPrice);
    const [btc, eth, sol] = SPOT_SYMBOLS.map((s) => of(s)[0]);
    assert.ok(btc && eth && sol);
    assert.deepEqual(Object.keys(btc).sort(), ['exchange', 'ltp', 'ltt', 'symbol', 'timestamp']);
    assert.equal(btc.exchange, 'BINANCE');
    assert.equal(btc.ltp, ltp);
    assert.equal(btc.ltt, TICKER_24HR.closeTime);
    assert.deepEqual(eth.quote, {
      volume: 12_345.6,
      open: 64_900,
      high: 65_500,
      low: 64_000,
      close: 64_899.9,
      lastTradeQuantity: 0,
      averagePrice: (64_900 + ltp) / 2,
      totalBuyQuantity: 1.5,
      totalSellQuantity: 2.5,
      change: 100.5,
      changePercent: 0.155,
      oi: 0,
      upperCircuit: 0,
      lowerCircuit: 0,
    });
    assert.equal(eth.depth, undefined);
    assert.deepEqual(unpackBook(sol.depth), {
      buy: [
        { price: 65_000.4, quantity: 1.5, orders: 0 },
        { price: 65_000.3, quantity: 2, orders: 0 },
      ],
      sell: [
        { price: 65_000.6, quantity: 2.5, orders: 0 },
        { price: 65_000.7, quantity: 3, orders: 0 },
      ],
    });
    assert.ok(fake.requests.some((r) => r === '/api/v3/depth?symbol=SOLUSDT&limit=2'));
    assert.equal(fake.count('/api/v3/depth', 'ETHUSDT'), 0, 'no book is fetched below level 3');
    await adapter.close();
  });

  it('never overlaps the polls of one symbol, even when the exchange answers slower than the interval', async () => {
    fake.tickerDelayMs = 2 * POLL_MS;
    try {
      const { adapter, of } = collecting({ createExchange: () => fake.rest() });
      await adapter.subscribe('BTC/USDT', 1);
      await waitFor(() => of('BTC/USDT').length >= 3, 'three slow polls');
      assert.equal(fake.maxConcurrentTickers, 1);
      await adapter.close();
    } finally {
      fake.tickerDelayMs = 0;
    }
  });

  it('raises the level of a subscribed symbol for the next poll', async () => {
    const { adapter, of } = collecting({ createExchange: () => fake.rest() });
    await adapter.subscribe('BTC/USDT', 1);
    await waitFor(() => of('BTC/USDT').length >= 1, 'a level-1 tick');
    await adapter.subscribe('BTC/USDT', 3);
    await adapter.subscribe('BTC/USDT', 2);
    await waitFor(() => of('BTC/USDT').some((t) => t.depth !== undefined), 'a level-3 tick');
    assert.deepEqual(adapter.subscribedSymbols(), ['BTC/USDT']);
    await adapter.close();
  });

  it('stops fetching a symbol once it is unsubscribed', async () => {
    const { adapter, of } = collecting({ createExchange: () => fake.rest() });
    await adapter.subscribe('BTC/USDT', 1);
    await adapter.subscribe('ETH/USDT', 1);
    await waitFor(() => of('BTC/USDT').length >= 1, 'a BTC tick');
    await adapter.unsubscribe('BTC/USDT');
    await adapter.unsubscribe('BTC/USDT');
    await adapter.unsubscribe('DOGE/USDT');
    const fetched = fake.count('/api/v3/ticker/24hr', 'BTCUSDT');
    const delivered = of('BTC/USDT').length;
    // ETH's loop is the clock: three more ETH polls mean three intervals went by.
    const eth = of('ETH/USDT').length;
    await waitFor(() => of('ETH/USDT').length >= eth + 3, 'three more ETH polls');
    assert.equal(fake.count('/api/v3/ticker/24hr', 'BTCUSDT'), fetched);
    assert.equal(of('BTC/USDT').length, delivered);
    assert.deepEqual(adapter.subscribedSymbols(), ['ETH/USDT']);
    await adapter.close();
  });

  it('counts failures, reports degraded while they last, then recovers', async () => {
    const warnings: object[] = [];
    const logger: Logger = { ...silentLogger, warn: (context) => void warnings.push(context) };
    const { adapter, of } = collecting({ createExchange: () => fake.rest(), logger });
    fake.failing.ticker = true;
    try {
      await adapter.subscribe('BTC/USDT', 2);
      await waitFor(() => adapter.stats().errors >= 2, 'two failed polls');
      assert.equal(adapter.status(), 'degraded');
      assert.equal(adapter.stats().failingSymbols, 1);
      assert.ok(adapter.stats().lastError);
      assert.equal(of('BTC/USDT').length, 0);
      assert.ok(warnings.length >= 2);
    } finally {
      fake.failing.ticker = false;
    }
    await waitFor(() => of('BTC/USDT').length >= 1, 'a tick after recovery');
    assert.equal(adapter.status(), 'connected');
    assert.equal(adapter.stats().failingSymbols, 0);
    await adapter.close();
  });

  it('rejects subscribe with UPSTREAM_UNAVAILABLE while the markets cannot load, and retries later', async () => {
    const { adapter } = collecting({ createExchange: () => fake.rest() });
    fake.failing.markets = true;
    try {
      await assert.rejects(adapter.subscribe('BTC/USDT', 1), (e: unknown) => {
        return isCode(GatewayErrorCode.UPSTREAM_UNAVAILABLE)(e) && (e as Error).cause instanceof Error;
      });
      await assert.rejects(adapter.listSymbols(), isCode(GatewayErrorCode.UPSTREAM_UNAVAILABLE));
      assert.equal(adapter.status(), 'degraded');
      assert.equal(adapter.stats().errors, 2);
    } finally {
      fake.failing.markets = false;
    }
    await adapter.subscribe('BTC/USDT', 1);
    assert.equal(adapter.status(), 'connected');
    await adapter.close();
  });

  it('rejects an unknown symbol, a bad level and one subscription too many, with codes', async () => {
    const { adapter } = collecting({ createExchange: () => fake.rest(), maxSubscriptions: 2 });
    await assert.rejects(adapter.subscribe('DOGE/USDT', 1), isCode(GatewayErrorCode.UNKNOWN_SYMBOL));
    await assert.rejects(
      adapter.subscribe('BTC/USDT', 0 as DataLevel),
      isCode(GatewayErrorCode.INVALID_LEVEL),
    );
    await adapter.subscribe('BTC/USDT', 1);
    await adapter.subscribe('ETH/USDT', 1);
    await adapter.subscribe('ETH/USDT', 2);
    await assert.rejects(adapter.subscribe('SOL/USDT', 1), isCode(GatewayErrorCode.SUBSCRIPTION_LIMIT));
    assert.deepEqual(adapter.subscribedSymbols(), ['BTC/USDT', 'ETH/USDT']);
    await adapter.close();
  });

  it('close() stops every loop and closes the exchange and its connections, once', async () => {
    let spy = { calls: 0 };
    let fetches = 0;
    const structures = new StructureRegistry();
    const { adapter, of } = collecting({
      structures,
      createExchange: () => {
        const exchange = fake.rest();
        spy = spyOnClose(exchange);
        const [fetchTicker, fetchOrderBook] = [
          exchange.fetchTicker.bind(exchange),
          exchange.fetchOrderBook.bind(exchange),
        ];
        exchange.fetchTicker = (...args) => (fetches++, fetchTicker(...args));
        exchange.fetchOrderBook = (...args) => (fetches++, fetchOrderBook(...args));
        return exchange;
      },
    });
    for (const symbol of SPOT_SYMBOLS) await adapter.subscribe(symbol, 3);
    await waitFor(() => SPOT_SYMBOLS.every((s) => of(s).length >= 2), 'two ticks per symbol');
    assert.equal(structures.snapshot()[0]?.size, 3);
    const closing = adapter.close();
    assert.equal(adapter.close(), closing);
    await closing;
    await adapter.close();
    assert.equal(spy.calls, 1);
    assert.deepEqual(structures.snapshot(), []);
    const calls = fetches;
    const delivered = of('BTC/USDT').length;
    await sleep(3 * POLL_MS);
    assert.equal(fetches, calls, 'no request after close');
    assert.equal(of('BTC/USDT').length, delivered, 'no tick after close');
    await waitFor(async () => (await fake.connections()) === 0, 'the keep-alive connection to close', 2000);
  });

  it('close() leaves no live timer', async () => {
    const timers = trackTimers();
    try {
      // A poll interval far longer than the wait below: a pause timer that close() forgot would show.
      const { adapter, of } = collecting({ createExchange: () => fake.rest(), pollIntervalMs: 60_000 });
      await adapter.subscribe('BTC/USDT', 2);
      await waitFor(() => of('BTC/USDT').length === 1, 'the first poll');
      assert.ok(timers.live >= 1, 'the pause before the next poll is tracked');
      await adapter.close();
      // undici and node:http keep process-wide timers that lapse within about a second.
      await waitFor(() => timers.live === 0, 'every timer to be cleared', 3000);
    } finally {
      timers.stop();
    }
  });

  it('after close: subscribe rejects, the rest are no-ops', async () => {
    const { adapter } = collecting({ createExchange: () => fake.rest() });
    await adapter.subscribe('BTC/USDT', 1);
    await adapter.close();
    await assert.rejects(adapter.subscribe('ETH/USDT', 1), isCode(GatewayErrorCode.ADAPTER_CLOSED));
    await adapter.unsubscribe('BTC/USDT');
    assert.deepEqual(await adapter.listSymbols(), []);
    assert.equal(await adapter.hasSymbol('BTC/USDT'), false);
    assert.deepEqual(adapter.subscribedSymbols(), []);
    assert.equal(adapter.status(), 'closed');
    assert.equal(adapter.stats().subscriptions, 0);
  });

  it('rejects a subscribe that was waiting for the markets when close() came', async () => {
    const { adapter } = collecting({ createExchange: () => fake.rest() });
    const pending = adapter.subscribe('BTC/USDT', 1);
    await adapter.close();
    await assert.rejects(pending, isCode(GatewayErrorCode.ADAPTER_CLOSED));
    assert.deepEqual(adapter.subscribedSymbols(), []);
  });

  it('logs a failing exchange.close() instead of throwing', async () => {
    const errors: object[] = [];
    const logger: Logger = { ...silentLogger, error: (context) => void errors.push(context) };
    const { adapter } = collecting({
      logger,
      createExchange: () => {
        const exchange = fake.rest();
        exchange.close = () => Promise.reject(new Error('socket already gone'));
        return exchange;
      },
    });
    await adapter.listSymbols();
    await adapter.close();
    assert.equal(errors.length, 1);
  });
});

describe('CcxtAdapter streaming through ccxt pro watch methods (local fakes)', () => {
  let fake: FakeBinance;
  before(async () => {
    fake = await startFakeBinance();
  });
  after(() => fake.close());

  /** A ccxt pro binance whose markets come from the fake server and whose streams are test-driven. */
  function streaming() {
    const exchange = fake.pro();
    const tickers = new FakeWatch<Ticker>();
    const books = new FakeWatch<OrderBook>();
    const unwatched: string[] = [];
    exchange.watchTicker = () => tickers.next();
    exchange.watchOrderBook = () => books.next();
    exchange.unWatchTicker = (symbol: string) => {
      unwatched.push(`ticker ${symbol}`);
      tickers.fail(new UnsubscribeError('unsubscribed'));
      return Promise.resolve(true);
    };
    exchange.unWatchOrderBook = (symbol: string) => {
      unwatched.push(`book ${symbol}`);
      books.fail(new UnsubscribeError('unsubscribed'));
      return Promise.resolve(true);
    };
    const close = spyOnClose(exchange);
    const ticker = () =>
      exchange.parseTicker({ symbol: 'BTCUSDT', ...TICKER_24HR }, exchange.market('BTC/USDT'));
    const book = () => exchange.parseOrderBook(DEPTH, 'BTC/USDT');
    return { exchange, tickers, books, unwatched, close, ticker, book };
  }

  it('emits a tick per update once both the ticker and the book arrived, and unwatches on unsubscribe', async () => {
    const stream = streaming();
    const { adapter, ticks } = collecting({ createExchange: () => stream.exchange, maxDepth: 1 });
    await adapter.subscribe('BTC/USDT', 3);
    assert.equal(adapter.stats().mode, 'watch');
    await waitFor(() => stream.tickers.waiting === 1 && stream.books.waiting === 1, 'both watches');
    stream.tickers.push(stream.ticker());
    await waitFor(() => stream.tickers.waiting === 1, 'the next ticker watch');
    assert.equal(ticks.length, 0, 'no level-3 tick without a book');
    stream.books.push(stream.book());
    await waitFor(() => ticks.length === 1, 'the first tick');
    stream.tickers.push(stream.ticker());
    await waitFor(() => ticks.length === 2, 'a tick per update');
    assert.deepEqual(unpackBook(ticks[1]?.depth), {
      buy: [{ price: 65_000.4, quantity: 1.5, orders: 0 }],
      sell: [{ price: 65_000.6, quantity: 2.5, orders: 0 }],
    });
    assert.equal(ticks[1]?.ltp, Number(TICKER_24HR.lastPrice));

    await adapter.unsubscribe('BTC/USDT');
    assert.deepEqual(stream.unwatched.sort(), ['book BTC/USDT', 'ticker BTC/USDT']);
    const calls = stream.tickers.calls + stream.books.calls;
    await settle();
    assert.equal(stream.tickers.calls + stream.books.calls, calls, 'no watch after unsubscribe');
    await adapter.close();
    assert.equal(stream.close.calls, 1);
  });

  it('treats a failed watch like a failed poll: counted, degraded, retried', async () => {
    const stream = streaming();
    const { adapter, ticks } = collecting({ createExchange: () => stream.exchange });
    await adapter.subscribe('BTC/USDT', 1);
    await waitFor(() => stream.tickers.waiting === 1, 'a ticker watch');
    stream.tickers.fail(new Error('socket closed'));
    await waitFor(() => adapter.status() === 'degraded', 'degraded');
    assert.equal(adapter.stats().errors, 1);
    await waitFor(() => stream.tickers.waiting === 1, 'a retried watch');
    stream.tickers.push(stream.ticker());
    await waitFor(() => ticks.length === 1, 'a tick after the retry');
    assert.equal(adapter.status(), 'connected');
    await adapter.close();
  });

  it('close() does not wait for pending watches, closes the exchange, and leaves no live timer', async () => {
    const timers = trackTimers();
    try {
      const stream = streaming();
      const { adapter } = collecting({ createExchange: () => stream.exchange });
      for (const symbol of SPOT_SYMBOLS) await adapter.subscribe(symbol, 3);
      await waitFor(() => stream.tickers.waiting === 3, 'three pending watches');
      await adapter.close();
      assert.equal(stream.close.calls, 1);
      assert.deepEqual(stream.unwatched, [], 'closing the exchange ends the streams; no unwatch one by one');
      await waitFor(() => timers.live === 0, 'every timer to be cleared', 3000);
    } finally {
      timers.stop();
    }
  });
});

describe('CcxtAdapter bounds', () => {
  it('returns to its baseline after 100,000 subscribe/unsubscribe pairs on distinct symbols', async () => {
    const symbols = Array.from({ length: 100_000 }, (_, i) => `C${i}/USDT`);
    const tickers = new FakeWatch<Ticker>();
    // A bare stand-in for an exchange with 100,000 markets: ccxt would spend minutes parsing them.
    const exchange = {
      has: { watchTicker: true, watchOrderBook: true, unWatchTicker: true },
      symbols,
      loadMarkets: () => Promise.resolve({}),
      watchTicker: () => tickers.next(),
      unWatchTicker: () => {
        tickers.fail(new UnsubscribeError('unsubscribed'));
        return Promise.resolve(true);
      },
      close: () => Promise.resolve(),
    } as unknown as Exchange;
    const structures = new StructureRegistry();
    const { adapter } = collecting({ createExchange: () => exchange, structures, maxSubscriptions: 10 });
    for (const symbol of symbols) {
      await adapter.subscribe(symbol, 1);
      await adapter.unsubscribe(symbol);
    }
    assert.equal(adapter.stats().subscriptions, 0);
    assert.equal(tickers.waiting, 0, 'every watch was settled');
    assert.deepEqual(structures.snapshot(), [
      { name: 'upstream.ccxt:binance.subscriptions', size: 0, capacity: 10, utilization: 0 },
    ]);
    await adapter.close();
    assert.deepEqual(structures.snapshot(), []);
  });
});
