import { levelCount, LEVEL_STRIDE, type BookSide } from '../domain/book-side.js';
import { EXCHANGE_PATTERN, SYMBOL_PATTERN } from '../domain/symbols.js';
import {
  QUOTE_FIELD_NAMES as QUOTE_FIELDS,
  type DataLevel,
  type QuoteFields,
  type Tick,
} from '../domain/tick.js';

/**
 * Ticks on the cluster's bus, in a compact binary form: what every mode needs, nothing else, and
 * numbers as the doubles they are (no text conversion on either side). Little-endian:
 *
 * | bytes      | field                                                                  |
 * | ---------- | ---------------------------------------------------------------------- |
 * | 1          | format version (1)                                                     |
 * | 1          | level: 1 LTP, 2 adds the quote, 3 adds the book                        |
 * | 1 + n      | exchange code (ASCII, n ≤ 32)                                          |
 * | 1 + n      | symbol (ASCII, n ≤ 64)                                                 |
 * | 3 × 8      | timestamp, ltp, ltt                                                    |
 * | 14 × 8     | level ≥ 2: the quote fields in `QUOTE_FIELD_NAMES` order             |
 * | 2 + 2      | level 3: levels per side, buy then sell (each ≤ {@link MAX_BOOK_LEVELS})|
 * | 3 × 8 each | level 3: the levels, buy side then sell side, as price, quantity, orders |
 *
 * A level-3 tick of 20 levels a side is about 1.1 KB; the same tick as a Depth-20 `market_data` message of the simulated exchange is about 2.5 KB.
 */
export const TICK_FORMAT_VERSION = 1;
/** The deepest book an adapter may be configured for (SIM_MAX_DEPTH and the ccxt adapter allow 100). */
export const MAX_BOOK_LEVELS = 100;

const HEADER_BYTES = 2;
const NUMBER_BYTES = 8;
const COUNTS_BYTES = 4;
/** The largest encoded tick: a level-3 tick with the longest names and the deepest book. */
export const MAX_TICK_BYTES =
  HEADER_BYTES +
  (1 + 32) +
  (1 + 64) +
  (3 + QUOTE_FIELDS.length) * NUMBER_BYTES +
  COUNTS_BYTES +
  2 * MAX_BOOK_LEVELS * LEVEL_STRIDE * NUMBER_BYTES;

/** Why a bus message is not a tick. The subscriber counts it and drops it. */
export class TickDecodeError extends Error {
  readonly code = 'BUS_UNDECODABLE';
}

export function encodeTick(tick: Tick): Buffer {
  const level: DataLevel = tick.depth ? 3 : tick.quote ? 2 : 1;
  const buy = tick.depth?.buy ?? [];
  const sell = tick.depth?.sell ?? [];
  const buyLevels = Math.min(levelCount(buy), MAX_BOOK_LEVELS);
  const sellLevels = Math.min(levelCount(sell), MAX_BOOK_LEVELS);
  const size =
    HEADER_BYTES +
    2 +
    tick.exchange.length +
    tick.symbol.length +
    3 * NUMBER_BYTES +
    (level >= 2 ? QUOTE_FIELDS.length * NUMBER_BYTES : 0) +
    (level === 3 ? COUNTS_BYTES + (buyLevels + sellLevels) * LEVEL_STRIDE * NUMBER_BYTES : 0);
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt8(TICK_FORMAT_VERSION, 0);
  at = out.writeUInt8(level, at);
  at = writeName(out, at, tick.exchange);
  at = writeName(out, at, tick.symbol);
  at = out.writeDoubleLE(tick.timestamp, at);
  at = out.writeDoubleLE(tick.ltp, at);
  at = out.writeDoubleLE(tick.ltt, at);
  const quote = tick.quote;
  if (level >= 2 && quote) for (const field of QUOTE_FIELDS) at = out.writeDoubleLE(quote[field], at);
  if (level === 3) {
    at = out.writeUInt16LE(buyLevels, at);
    at = out.writeUInt16LE(sellLevels, at);
    at = writeSide(out, at, buy, buyLevels);
    writeSide(out, at, sell, sellLevels);
  }
  return out;
}

/** The tick `bytes` encode; throws a {@link TickDecodeError} for anything else. */
export function decodeTick(bytes: Uint8Array): Tick {
  const reader = new Reader(bytes);
  const version = reader.uint8();
  if (version !== TICK_FORMAT_VERSION) throw new TickDecodeError(`unknown tick format version ${version}`);
  const level = reader.uint8();
  if (level !== 1 && level !== 2 && level !== 3) throw new TickDecodeError(`bad level ${level}`);
  const exchange = reader.name(EXCHANGE_PATTERN, 'exchange code');
  const symbol = reader.name(SYMBOL_PATTERN, 'symbol');
  const timestamp = reader.number();
  const ltp = reader.number();
  const ltt = reader.number();
  let tick: Tick;
  if (level === 1) {
    tick = { exchange, symbol, timestamp, ltp, ltt };
  } else {
    const quote = {} as QuoteFields;
    for (const field of QUOTE_FIELDS) quote[field] = reader.number();
    if (level === 2) {
      tick = { exchange, symbol, timestamp, ltp, ltt, quote };
    } else {
      const buyLevels = reader.levels();
      const sellLevels = reader.levels();
      const buy = reader.side(buyLevels);
      const sell = reader.side(sellLevels);
      tick = { exchange, symbol, timestamp, ltp, ltt, quote, depth: { buy, sell } };
    }
  }
  reader.end();
  return tick;
}

function writeName(out: Buffer, at: number, name: string): number {
  const next = out.writeUInt8(name.length, at);
  return next + out.write(name, next, 'latin1');
}

function writeSide(out: Buffer, at: number, side: BookSide, levels: number): number {
  const count = levels * LEVEL_STRIDE;
  for (let i = 0; i < count; i++) at = out.writeDoubleLE(side[i] as number, at);
  return at;
}

/** Reads the fields in order, checking each against what is left and what it may hold. */
class Reader {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    if (bytes.length > MAX_TICK_BYTES)
      throw new TickDecodeError(`${bytes.length} bytes is over ${MAX_TICK_BYTES}`);
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  uint8(): number {
    this.#need(1);
    return this.#view.getUint8(this.#at++);
  }

  name(pattern: RegExp, what: string): string {
    const length = this.uint8();
    this.#need(length);
    const name = Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset + this.#at, length).toString(
      'latin1',
    );
    this.#at += length;
    if (!pattern.test(name)) throw new TickDecodeError(`bad ${what}`);
    return name;
  }

  number(): number {
    this.#need(NUMBER_BYTES);
    const value = this.#view.getFloat64(this.#at, true);
    this.#at += NUMBER_BYTES;
    if (!Number.isFinite(value)) throw new TickDecodeError('a number is not finite');
    return value;
  }

  levels(): number {
    this.#need(2);
    const count = this.#view.getUint16(this.#at, true);
    this.#at += 2;
    if (count > MAX_BOOK_LEVELS) throw new TickDecodeError(`${count} book levels is over ${MAX_BOOK_LEVELS}`);
    return count;
  }

  side(levels: number): number[] {
    const side = new Array<number>(levels * LEVEL_STRIDE);
    for (let i = 0; i < side.length; i++) side[i] = this.number();
    return side;
  }

  end(): void {
    if (this.#at !== this.#bytes.length)
      throw new TickDecodeError(`${this.#bytes.length - this.#at} bytes left over`);
  }

  #need(count: number): void {
    if (this.#at + count > this.#bytes.length) throw new TickDecodeError('truncated');
  }
}
