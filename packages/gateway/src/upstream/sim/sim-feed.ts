import type { DataLevel, DepthBook, Tick } from '../../domain/tick.js';
import { combine, unit } from './prng.js';
import { BOOK_EPOCH_MS, bookAt } from './sim-book.js';
import type { SimInstrument } from './sim-instrument.js';
import { priceAt } from './sim-price-path.js';
import { quoteAt, SimSession } from './sim-quote.js';

const PHASE_SALT = 0x9a5e;

/**
 * One subscribed symbol of a SimAdapter. Its ticks fall at `phase + k * periodMs` for whole k,
 * the phase drawn from the symbol, so the ticks of many symbols spread evenly over the adapter's
 * steps, and tick k of a symbol is the same in every process that runs at the same rate.
 */
export class SimFeed {
  readonly instrument: SimInstrument;
  level: DataLevel;
  /** Set on unsubscribe, so a step already iterating stops emitting for it. */
  stopped = false;
  readonly #periodMs: number;
  readonly #phase: number;
  readonly #session = new SimSession();
  #step: number;
  #nextTime: number;
  /** The last book: reused while the price and the book's epoch are unchanged. */
  #book: { ltp: number; epoch: number; value: DepthBook } | undefined;

  constructor(instrument: SimInstrument, level: DataLevel, periodMs: number, now: number) {
    this.instrument = instrument;
    this.level = level;
    this.#periodMs = periodMs;
    this.#phase = unit(combine(instrument.seed, PHASE_SALT)) * periodMs;
    this.#step = this.#firstStepAfter(now);
    this.#nextTime = this.#timeOf(this.#step);
  }

  /** When the next tick is due (ms since the epoch). */
  get nextTime(): number {
    return this.#nextTime;
  }

  /** Builds the tick due at `nextTime`, stamped `now`, and moves on to the next one. */
  takeTick(exchange: string, maxDepth: number, now: number): Tick {
    const time = this.#nextTime;
    this.#step++;
    this.#nextTime = this.#timeOf(this.#step);
    const instrument = this.instrument;
    const ltp = priceAt(instrument, time);
    const symbol = instrument.symbol;
    // One literal per level rather than spreads: this runs tens of thousands of times a second.
    if (this.level === 1) return { exchange, symbol, timestamp: now, ltp, ltt: time };
    this.#session.advance(instrument, time, ltp);
    const quote = quoteAt(instrument, this.#session, ltp, time);
    if (this.level === 2) return { exchange, symbol, timestamp: now, ltp, ltt: time, quote };
    const depth = this.#bookAt(ltp, time, maxDepth);
    return { exchange, symbol, timestamp: now, ltp, ltt: time, quote, depth };
  }

  /** Drops the ticks due by `now` (the process stalled); returns how many were dropped. */
  skipTo(now: number): number {
    const next = this.#firstStepAfter(now);
    const skipped = Math.max(0, next - this.#step);
    this.#step = Math.max(this.#step, next);
    this.#nextTime = this.#timeOf(this.#step);
    return skipped;
  }

  #bookAt(ltp: number, time: number, levels: number): DepthBook {
    const epoch = Math.floor(time / BOOK_EPOCH_MS);
    const cached = this.#book;
    if (cached && cached.ltp === ltp && cached.epoch === epoch) return cached.value;
    const value = bookAt(this.instrument, ltp, time, levels);
    this.#book = { ltp, epoch, value };
    return value;
  }

  #firstStepAfter(time: number): number {
    return Math.floor((time - this.#phase) / this.#periodMs) + 1;
  }

  #timeOf(step: number): number {
    return Math.floor(this.#phase + step * this.#periodMs);
  }
}
