import { GatewayErrorCode } from '../../errors.js';
import { systemClock, type Clock } from '@steadystate/lifecycle';
import { z } from 'zod';
import { functionOption, integerIn, parseOptions } from '../adapter-options.js';
import { UpstreamError } from '../upstream-error.js';
import { bookAt } from './sim-book.js';
import type { DepthBook } from '../../domain/tick.js';
import { TIMEFRAME_MS, type Candle, type Timeframe } from '../../domain/candle.js';
import { candleAt } from './sim-candles.js';
import { createInstrument, type SimInstrument } from './sim-instrument.js';
import type { SimMarketOptions } from './sim-market-options.js';
import { priceAt } from './sim-price-path.js';
import { quoteAt, SimSession } from './sim-quote.js';
import type { Tick } from '../../domain/tick.js';
import { generateUniverse } from './sim-universe.js';

export type { SimMarketOptions };

/** The most candles one `candles()` call returns. */
export const MAX_CANDLES = 5000;
/** The most book levels per side one `book()` call returns. */
export const MAX_BOOK_LEVELS = 1000;

const schema = z.object({
  seed: integerIn(0, 0xffffffff).default(1),
  symbolCount: integerIn(3, 100_000).default(2000),
  now: functionOption<Clock>().default(() => systemClock),
});

/**
 * A deterministic simulated spot exchange, so the product runs with no network and no account.
 * Every price, candle and book is a pure function of (seed, symbol, time): the same question
 * gets the same answer in any process, whatever else was asked before. Holds no timers and
 * nothing that grows: only the fixed list of symbols.
 */
export class SimMarket {
  readonly seed: number;
  /** Every symbol, majors first. Frozen. */
  readonly symbols: readonly string[];
  readonly #known: ReadonlySet<string>;
  readonly #now: Clock;

  constructor(options?: SimMarketOptions) {
    const o = parseOptions('SimMarket', schema, options);
    this.seed = o.seed;
    this.#now = o.now;
    this.symbols = Object.freeze(generateUniverse(o.seed, o.symbolCount));
    this.#known = new Set(this.symbols);
  }

  has(symbol: string): boolean {
    return this.#known.has(symbol);
  }

  /** The parameters of a listed symbol; throws an UpstreamError `UNKNOWN_SYMBOL` for others. */
  instrument(symbol: string): SimInstrument {
    if (!this.#known.has(symbol)) {
      throw new UpstreamError(
        GatewayErrorCode.UNKNOWN_SYMBOL,
        'sim',
        `unknown symbol ${JSON.stringify(symbol)}`,
      );
    }
    return createInstrument(this.seed, symbol);
  }

  /** The last traded price of `symbol` at `time` (ms since the epoch). */
  price(symbol: string, time: number = this.#now()): number {
    return priceAt(this.instrument(symbol), checkTime(time, 'time'));
  }

  /**
   * The Quote-level tick of `symbol` at `time`: what the SIM adapter sends a Quote subscriber at
   * that moment, computed on demand (the indices read quotes without holding a subscription).
   */
  quote(symbol: string, time: number = this.#now()): Tick {
    const instrument = this.instrument(symbol);
    checkTime(time, 'time');
    const ltp = priceAt(instrument, time);
    const session = new SimSession();
    session.advance(instrument, time, ltp);
    return {
      exchange: 'SIM',
      symbol,
      timestamp: time,
      ltp,
      ltt: time,
      quote: quoteAt(instrument, session, ltp, time),
    };
  }

  /**
   * The last `limit` candles of `symbol` (1 to 5000), oldest first: the candle in progress at
   * `endTime` (cut at `endTime`) and the complete ones before it. Candles open at multiples of
   * the timeframe since the epoch, so daily candles open at midnight UTC.
   */
  candles(symbol: string, timeframe: Timeframe, limit: number, endTime: number = this.#now()): Candle[] {
    const instrument = this.instrument(symbol);
    const length = (TIMEFRAME_MS as Record<string, number | undefined>)[timeframe];
    if (length === undefined) {
      throw new RangeError(
        `SimMarket.candles: timeframe must be one of ${Object.keys(TIMEFRAME_MS).join(', ')}`,
      );
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CANDLES) {
      throw new RangeError(`SimMarket.candles: limit must be an integer from 1 to ${MAX_CANDLES}`);
    }
    const end = checkTime(endTime, 'endTime');
    const last = Math.floor(end / length);
    const candles: Candle[] = [];
    for (let index = Math.max(0, last - limit + 1); index <= last; index++) {
      const start = index * length;
      candles.push(candleAt(instrument, timeframe, start, Math.min(start + length, end)));
    }
    return candles;
  }

  /** The order book of `symbol` at `time`: `levels` levels per side (1 to 1000), best first. */
  book(symbol: string, levels: number, time: number = this.#now()): DepthBook {
    const instrument = this.instrument(symbol);
    if (!Number.isInteger(levels) || levels < 1 || levels > MAX_BOOK_LEVELS) {
      throw new RangeError(`SimMarket.book: levels must be an integer from 1 to ${MAX_BOOK_LEVELS}`);
    }
    const at = checkTime(time, 'time');
    return bookAt(instrument, priceAt(instrument, at), at, levels);
  }
}

function checkTime(time: number, name: string): number {
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new RangeError(`SimMarket: ${name} must be a whole number of ms since the epoch`);
  }
  return time;
}
