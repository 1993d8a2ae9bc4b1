import { GatewayErrorCode } from '../../src/errors.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, silentLogger, StructureRegistry, type Logger } from '@steadystate/lifecycle';
import { trackTimers } from '@steadystate/lifecycle/testing';
import { SimAdapter, type SimAdapterOptions } from '../../src/upstream/sim/sim-adapter.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';
import type { DataLevel, Tick } from '../../src/domain/tick.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';
import { settle, waitFor } from '@steadystate/lifecycle/testing';
import { unpackBook } from '../support/depth-book.js';

const T0 = 1_700_000_000_000;
const market = new SimMarket({ seed: 42, symbolCount: 2000 });

/** An adapter on a clock the test moves; the real timer's steps see the same clock. */
function simulated(options: Partial<SimAdapterOptions> = {}) {
  const clock = { now: T0 };
  const ticks: Tick[] = [];
  const adapter = new SimAdapter({
    market,
    sink: (tick) => void ticks.push(tick),
    now: () => clock.now,
    logger: silentLogger,
    ...options,
  });
  /** Moves the clock forward `ms` in steps of 50 ms, stepping the adapter each time. */
  const advance = (ms: number) => {
    for (let moved = 0; moved < ms; moved += 50) {
      clock.now += 50;
      adapter.step();
    }
  };
  return { adapter, ticks, clock, advance };
}

const isCode = (code: string) => (e: unknown) => e instanceof UpstreamError && e.code === code;

describe('SimAdapter options', () => {
  const sink = () => {};
  const bad: [string, Record<string, unknown>][] = [
    ['sink', {}],
    ['sink', { sink: 'push' }],
    ['market', { sink, market: {} }],
    ['ticksPerSecond', { sink, ticksPerSecond: 0.05 }],
    ['ticksPerSecond', { sink, ticksPerSecond: 101 }],
    ['ticksPerSecond', { sink, ticksPerSecond: Infinity }],
    ['stepMs', { sink, stepMs: 5 }],
    ['stepMs', { sink, stepMs: 20.5 }],
    ['maxDepth', { sink, maxDepth: 0 }],
    ['maxDepth', { sink, maxDepth: 101 }],
    ['structures', { sink, structures: {} }],
    ['logger', { sink, logger: { error() {} } }],
    ['now', { sink, now: 'now' }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new SimAdapter({ market, ...options } as never),
        (error: unknown) =>
          error instanceof TypeError && error instanceof InvalidOptionError && error.option === option,
      );
    });
  }
});

describe('SimAdapter ticks', () => {
  it('emits ticksPerSecond ticks per subscribed symbol, spread over the steps', async () => {
    const { adapter, ticks, advance } = simulated({ ticksPerSecond: 4 });
    const symbols = market.symbols.slice(0, 200);
    for (const symbol of symbols) await adapter.subscribe(symbol, 1);
    const perStep: number[] = [];
    for (let i = 0; i < 200; i++) {
      const before = ticks.length;
      advance(50);
      perStep.push(ticks.length - before);
    }
    // 10 simulated seconds at 4 a second: exactly 40 ticks per symbol, whatever its phase.
    for (const symbol of symbols) assert.equal(ticks.filter((t) => t.symbol === symbol).length, 40, symbol);
    // 800 ticks a second over 20 steps a second is 40 a step on average; no step carries a burst.
    assert.ok(Math.max(...perStep) < 80, `busiest step had ${Math.max(...perStep)} ticks`);
    assert.equal(adapter.stats().ticks, 8000);
    await adapter.close();
  });

  it('gives the same ticks for a symbol whatever else is subscribed, and when', async () => {
    const alone = simulated();
    await alone.adapter.subscribe('BTC/USDT', 3);
    alone.advance(5000);

    const crowded = simulated();
    for (const symbol of market.symbols.slice(1, 500)) await crowded.adapter.subscribe(symbol, 2);
    crowded.advance(2000);
    await crowded.adapter.subscribe('BTC/USDT', 3);
    crowded.advance(3000);

    const btc = (ticks: Tick[]) => ticks.filter((t) => t.symbol === 'BTC/USDT');
    const late = btc(crowded.ticks);
    assert.ok(late.length >= 5);
    const first = late[0];
    assert.ok(first);
    const sameSpan = btc(alone.ticks).filter((t) => t.ltt >= first.ltt);
    assert.deepEqual(late, sameSpan);

    const otherSeed = simulated({ market: new SimMarket({ seed: 43, symbolCount: 3 }) });
    await otherSeed.adapter.subscribe('BTC/USDT', 1);
    otherSeed.advance(5000);
    assert.notDeepEqual(
      otherSeed.ticks.map((t) => t.ltp),
      btc(alone.ticks).map((t) => t.ltp),
    );
    await Promise.all([alone.adapter.close(), crowded.adapter.close(), otherSeed.adapter.close()]);
  });

  it('carries the fields of the subscribed level', async () => {
    const { adapter, ticks, advance } = simulated({ maxDepth: 7 });
    const levels: [string, DataLevel][] = [
      ['BTC/USDT', 1],
      ['ETH/USDT', 2],
      ['SOL/USDT', 3],
    ];
    for (const [symbol, level] of levels) await adapter.subscribe(symbol, level);
    advance(2000);
    const of = (symbol: string) => ticks.filter((t) => t.symbol === symbol);

    for (const tick of of('BTC/USDT')) {
      assert.deepEqual(Object.keys(tick).sort(), ['exchange', 'ltp', 'ltt', 'symbol', 'timestamp']);
      assert.equal(tick.exchange, 'SIM');
      assert.ok(tick.ltt <= tick.timestamp && tick.timestamp - tick.ltt < 100);
    }
    for (const tick of of('ETH/USDT')) {
      assert.equal(tick.depth, undefined);
      const quote = tick.quote;
      assert.ok(quote);
      for (const value of Object.values(quote)) assert.ok(Number.isFinite(value));
      assert.ok(
        quote.high >= tick.ltp &&
          quote.low <= tick.ltp &&
          quote.high >= quote.open &&
          quote.low <= quote.open,
      );
      assert.ok(Math.abs(quote.change - (tick.ltp - quote.close)) < 1e-6);
      assert.ok(Math.abs(quote.changePercent - ((tick.ltp - quote.close) / quote.close) * 100) <= 0.005);
      assert.ok(quote.volume > 0 && quote.lastTradeQuantity > 0);
    }
    for (const tick of of('SOL/USDT')) {
      assert.ok(tick.quote && tick.depth);
      const { buy, sell } = unpackBook(tick.depth);
      assert.equal(buy.length, 7);
      assert.equal(sell.length, 7);
      assert.ok((buy[0]?.price ?? Infinity) < tick.ltp && tick.ltp <= (sell[0]?.price ?? 0));
    }
    assert.equal(adapter.maxDepth, 7);
    await adapter.close();
  });

  it('raises a level by subscribing again and never lowers it', async () => {
    const { adapter, ticks, advance } = simulated();
    await adapter.subscribe('ETH/USDT', 1);
    advance(1000);
    assert.ok(ticks.every((t) => t.quote === undefined));
    await adapter.subscribe('ETH/USDT', 3);
    await adapter.subscribe('ETH/USDT', 2);
    ticks.length = 0;
    advance(1000);
    assert.ok(ticks.length > 0 && ticks.every((t) => t.quote !== undefined && t.depth !== undefined));
    assert.deepEqual(adapter.subscribedSymbols(), ['ETH/USDT']);
    await adapter.close();
  });

  it('stops the ticks of an unsubscribed symbol', async () => {
    const { adapter, ticks, advance } = simulated();
    await adapter.subscribe('BTC/USDT', 1);
    await adapter.subscribe('ETH/USDT', 1);
    advance(1000);
    await adapter.unsubscribe('BTC/USDT');
    await adapter.unsubscribe('BTC/USDT');
    await adapter.unsubscribe('NOPE/USDT');
    ticks.length = 0;
    advance(2000);
    assert.ok(ticks.length > 0 && ticks.every((t) => t.symbol === 'ETH/USDT'));
    assert.deepEqual(adapter.subscribedSymbols(), ['ETH/USDT']);
    await adapter.close();
  });

  it('drops what a stalled process missed instead of answering with a burst', async () => {
    const { adapter, ticks, clock } = simulated({ ticksPerSecond: 10 });
    await adapter.subscribe('BTC/USDT', 1);
    clock.now += 60_000;
    adapter.step();
    // Two steps' worth at most: 50 ms steps at 10 a second allow 2.
    assert.equal(ticks.length, 2);
    assert.ok(adapter.stats().skippedTicks >= 590);
    clock.now += 1000;
    adapter.step();
    assert.equal(ticks.length, 4, 'a one-second stall drops too');
    await adapter.close();
  });

  it('counts and logs a throwing sink once per step, and the other ticks still flow', async () => {
    const errors: object[] = [];
    const logger: Logger = { ...silentLogger, error: (context) => void errors.push(context) };
    const good: Tick[] = [];
    const clock = { now: T0 };
    const adapter = new SimAdapter({
      market,
      logger,
      now: () => clock.now,
      sink: (tick) => {
        if (tick.symbol === 'ETH/USDT') throw new Error('sink broke');
        good.push(tick);
      },
    });
    for (const symbol of market.symbols.slice(0, 100)) await adapter.subscribe(symbol, 1);
    clock.now += 5000;
    adapter.step();
    assert.equal(good.length, 99 * 2);
    assert.equal(adapter.stats().errors, 2);
    assert.equal(adapter.stats().lastError, 'sink broke');
    assert.equal(errors.length, 1);
    await adapter.close();
  });

  it('delivers on its own timer with the real clock', async () => {
    const ticks: Tick[] = [];
    const adapter = new SimAdapter({
      market,
      sink: (t) => void ticks.push(t),
      ticksPerSecond: 100,
      stepMs: 10,
    });
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await adapter.subscribe('BTC/USDT', 2);
      await waitFor(() => ticks.length >= 3, 'ticks from the timer');
      assert.ok(ticks.every((t) => t.symbol === 'BTC/USDT' && t.quote !== undefined));
    } finally {
      clearInterval(keepAlive);
      await adapter.close();
    }
  });
});

describe('SimAdapter subscriptions', () => {
  it('lists the market and rejects an unknown symbol or level with a code', async () => {
    const { adapter } = simulated();
    assert.equal((await adapter.listSymbols()).length, 2000);
    assert.equal(await adapter.hasSymbol('SOL/USDT'), true);
    assert.equal(await adapter.hasSymbol('DOGE/USDT'), false);
    await assert.rejects(adapter.subscribe('DOGE/USDT', 1), isCode(GatewayErrorCode.UNKNOWN_SYMBOL));
    await assert.rejects(
      adapter.subscribe('BTC/USDT', 4 as DataLevel),
      isCode(GatewayErrorCode.INVALID_LEVEL),
    );
    assert.deepEqual(adapter.subscribedSymbols(), []);
    await adapter.close();
  });

  it('returns to its baseline after 100,000 subscribe/unsubscribe pairs on distinct symbols', async () => {
    const big = new SimMarket({ symbolCount: 100_000 });
    const structures = new StructureRegistry();
    const { adapter, advance } = simulated({ market: big, structures });
    for (const symbol of big.symbols) {
      await adapter.subscribe(symbol, 3);
      await adapter.unsubscribe(symbol);
    }
    advance(100);
    assert.equal(adapter.stats().subscriptions, 0);
    assert.deepEqual(structures.snapshot(), [
      { name: 'upstream.sim.subscriptions', size: 0, capacity: 100_000, utilization: 0 },
    ]);
    await adapter.close();
    assert.deepEqual(structures.snapshot(), []);
  });
});

describe('SimAdapter close', () => {
  it('stops the timer, leaves no live timer and is idempotent', async () => {
    const timers = trackTimers();
    try {
      const { adapter, advance, ticks } = simulated();
      await adapter.subscribe('BTC/USDT', 3);
      advance(1000);
      assert.ok(timers.live >= 1, 'the step timer is tracked');
      const first = adapter.close();
      assert.equal(adapter.close(), first);
      await first;
      await adapter.close();
      await settle();
      assert.equal(timers.live, 0);
      const count = ticks.length;
      advance(1000);
      assert.equal(ticks.length, count, 'no tick after close');
    } finally {
      timers.stop();
    }
  });

  it('rejects subscribe after close; every other call is a no-op', async () => {
    const { adapter } = simulated();
    await adapter.subscribe('BTC/USDT', 1);
    await adapter.close();
    await assert.rejects(adapter.subscribe('ETH/USDT', 1), isCode(GatewayErrorCode.ADAPTER_CLOSED));
    await adapter.unsubscribe('BTC/USDT');
    assert.deepEqual(await adapter.listSymbols(), []);
    assert.equal(await adapter.hasSymbol('BTC/USDT'), false);
    assert.deepEqual(adapter.subscribedSymbols(), []);
    assert.equal(adapter.step(), 0);
    assert.equal(adapter.status(), 'closed');
    assert.equal(adapter.stats().status, 'closed');
  });

  it('works with await using', async () => {
    let adapter: SimAdapter | undefined;
    {
      await using scoped = simulated().adapter;
      adapter = scoped;
      assert.equal(adapter.status(), 'connected');
    }
    assert.equal(adapter.status(), 'closed');
  });
});
