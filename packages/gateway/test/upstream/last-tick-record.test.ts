import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QUOTE_FIELD_NAMES, type QuoteFields, type Tick } from '../../src/domain/tick.js';
import { LastTickRecord } from '../../src/upstream/last-tick-record.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';

const quote = (k: number) =>
  Object.fromEntries(QUOTE_FIELD_NAMES.map((field, i) => [field, k + i / 4])) as unknown as QuoteFields;
const ltpTick = (k: number): Tick => ({
  exchange: 'SIM',
  symbol: 'BTC/USDT',
  timestamp: 1000 + k,
  ltp: 100 + k,
  ltt: 900 + k,
});
const book = (levels: number, k: number) => ({
  buy: Array.from({ length: levels * 3 }, (_, i) => k - i),
  sell: Array.from({ length: levels * 3 }, (_, i) => k + i + 0.5),
});

describe('LastTickRecord', () => {
  it('gives back each level of tick it was written with', () => {
    const ticks: Tick[] = [
      ltpTick(1),
      { ...ltpTick(2), quote: quote(2) },
      { ...ltpTick(3), quote: quote(3), depth: book(5, 3) },
    ];
    for (const tick of ticks) assert.deepEqual(LastTickRecord.of(tick).toTick(), tick);
  });

  it('is rewritten in place by the next tick, up and down the levels, while the book fits', () => {
    const record = LastTickRecord.of({ ...ltpTick(0), quote: quote(0), depth: book(10, 0) });
    const sequence: Tick[] = [
      ltpTick(1),
      { ...ltpTick(2), quote: quote(2) },
      { ...ltpTick(3), quote: quote(3), depth: book(4, 3) },
      { ...ltpTick(4), quote: quote(4), depth: { buy: book(10, 4).buy, sell: [] } },
      ltpTick(5),
    ];
    for (const tick of sequence) {
      assert.equal(record.write(tick), true);
      assert.deepEqual(record.toTick(), tick);
    }
  });

  it('refuses a tick whose book is deeper than its room, keeping the previous tick', () => {
    const record = LastTickRecord.of(ltpTick(1));
    assert.equal(record.write({ ...ltpTick(2), quote: quote(2) }), true, 'every record has room for a quote');
    const deeper = { ...ltpTick(3), quote: quote(3), depth: book(1, 3) };
    assert.equal(record.write(deeper), false);
    assert.deepEqual(record.toTick(), { ...ltpTick(2), quote: quote(2) });
    assert.deepEqual(LastTickRecord.of(deeper).toTick(), deeper);
  });

  it('gives a tick that owns its book: a later write does not change a tick already read', () => {
    const first = { ...ltpTick(1), quote: quote(1), depth: book(3, 1) };
    const record = LastTickRecord.of(first);
    const read = record.toTick();
    record.write({ ...ltpTick(2), quote: quote(2), depth: book(3, 2) });
    assert.deepEqual(read, first);
  });

  it('keeps the simulated exchange’s ticks exactly', () => {
    const market = new SimMarket({ seed: 5, symbolCount: 4 });
    for (const symbol of market.symbols) {
      const tick: Tick = { ...market.quote(symbol, 1.8e12), depth: market.book(symbol, 20, 1.8e12) };
      assert.deepEqual(LastTickRecord.of(tick).toTick(), tick);
    }
  });
});
