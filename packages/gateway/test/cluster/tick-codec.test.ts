import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeTick,
  encodeTick,
  MAX_BOOK_LEVELS,
  MAX_TICK_BYTES,
  TickDecodeError,
} from '../../src/cluster/tick-codec.js';
import { QUOTE_FIELD_NAMES, type QuoteFields, type Tick } from '../../src/domain/tick.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';

const quote = Object.fromEntries(
  QUOTE_FIELD_NAMES.map((field, i) => [field, i * 1.5 + 0.1]),
) as unknown as QuoteFields;
const base = {
  exchange: 'SIM',
  symbol: 'BTC/USDT:USDT',
  timestamp: 1_800_000_000_123,
  ltp: 65_000.5,
  ltt: 1_800_000_000_000,
};

function book(levels: number): { buy: number[]; sell: number[] } {
  const side = (sign: number) => Array.from({ length: levels * 3 }, (_, i) => 100 + sign * i + 0.25);
  return { buy: side(-1), sell: side(1) };
}

function decodeError(bytes: Uint8Array): TickDecodeError {
  try {
    decodeTick(bytes);
  } catch (error) {
    assert.ok(error instanceof TickDecodeError, String(error));
    assert.equal(error.code, 'BUS_UNDECODABLE');
    return error;
  }
  assert.fail('decoded');
}

describe('tick codec', () => {
  it('round-trips ticks of every level exactly', () => {
    const ticks: Tick[] = [
      base,
      { ...base, quote },
      { ...base, quote, depth: book(20) },
      { ...base, quote, depth: { buy: [], sell: book(1).sell } },
    ];
    for (const tick of ticks) assert.deepEqual(decodeTick(encodeTick(tick)), tick);
  });

  it('round-trips the simulated exchange’s own ticks', () => {
    const market = new SimMarket({ seed: 3, symbolCount: 5 });
    for (const symbol of market.symbols) {
      const tick: Tick = {
        ...market.quote(symbol, base.timestamp),
        depth: market.book(symbol, 20, base.timestamp),
      };
      assert.deepEqual(decodeTick(encodeTick(tick)), tick);
    }
  });

  it('is compact: a level-3 tick of 20 levels a side in about 1.1 KB', () => {
    const bytes = encodeTick({ ...base, quote, depth: book(20) });
    assert.equal(bytes.length, 2 + 4 + 14 + 24 + 112 + 4 + 40 * 24);
    assert.ok(encodeTick({ ...base, quote, depth: book(MAX_BOOK_LEVELS) }).length <= MAX_TICK_BYTES);
  });

  it('refuses truncated and over-long messages', () => {
    const bytes = encodeTick({ ...base, quote, depth: book(5) });
    for (const length of [0, 1, 2, 10, bytes.length - 1]) decodeError(bytes.subarray(0, length));
    assert.match(decodeError(Buffer.concat([bytes, Buffer.from([0])])).message, /left over/);
    assert.match(decodeError(Buffer.alloc(MAX_TICK_BYTES + 1)).message, /over/);
  });

  it('refuses another version, a bad level, bad names, non-finite numbers and too deep a book', () => {
    const bytes = encodeTick({ ...base, quote, depth: book(2) });
    const altered = (at: number, value: number) => {
      const copy = Buffer.from(bytes);
      copy[at] = value;
      return copy;
    };
    assert.match(decodeError(altered(0, 2)).message, /version/);
    assert.match(decodeError(altered(1, 0)).message, /level/);
    assert.match(decodeError(altered(1, 4)).message, /level/);
    assert.match(decodeError(altered(3, '*'.charCodeAt(0))).message, /exchange/);
    assert.match(decodeError(altered(7, ' '.charCodeAt(0))).message, /symbol/);
    const nan = encodeTick({ ...base, ltp: Number.NaN });
    assert.match(decodeError(nan).message, /finite/);
    const deep = Buffer.from(bytes);
    const countsAt = 2 + 4 + 14 + 24 + 112;
    deep.writeUInt16LE(MAX_BOOK_LEVELS + 1, countsAt);
    assert.match(decodeError(deep).message, /levels/);
  });

  it('never throws anything but a decode error on random bytes', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: next() * 4 }, next);
      if (bytes.length > 0) bytes[0] = 1;
      try {
        decodeTick(bytes);
      } catch (error) {
        assert.ok(error instanceof TickDecodeError, String(error));
      }
    }
  });
});
