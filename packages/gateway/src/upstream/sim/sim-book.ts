import { newBookSide, setLevel } from '../../domain/book-side.js';
import type { DepthBook } from '../../domain/tick.js';
import { combine, combineIndex, unit } from './prng.js';
import { roundAmount, type SimInstrument } from './sim-instrument.js';

/** Quantities change once per epoch, not every tick: a resting book does not reshuffle 10 times a second. */
export const BOOK_EPOCH_MS = 1000;
/** Levels sit about one basis point apart. */
const LEVEL_GAP = 0.0001;
const BUY_SALT = 0xb1d;
const SELL_SALT = 0xa5c;

/**
 * The order book of `instrument` around the last price `ltp` at `time`: the best ask at the
 * last price, the best bid one level below, `levels` levels per side. Prices are whole ticks;
 * quantities and order counts are seeded by (symbol, side, level, epoch of `time`).
 */
export function bookAt(instrument: SimInstrument, ltp: number, time: number, levels: number): DepthBook {
  const scale = instrument.priceScale;
  const ltpTicks = Math.round(ltp * scale);
  const gapTicks = Math.max(1, Math.round(ltpTicks * LEVEL_GAP));
  const epoch = Math.floor(time / BOOK_EPOCH_MS);
  const buy = newBookSide(levels);
  const sell = newBookSide(levels);
  for (let level = 0; level < levels; level++) {
    setDepthLevel(buy, instrument, (ltpTicks - gapTicks * (level + 1)) / scale, BUY_SALT, level, epoch);
    setDepthLevel(sell, instrument, (ltpTicks + gapTicks * level) / scale, SELL_SALT, level, epoch);
  }
  return { buy, sell };
}

function setDepthLevel(
  out: number[],
  instrument: SimInstrument,
  price: number,
  side: number,
  level: number,
  epoch: number,
): void {
  const hash = combineIndex(combine(combine(instrument.seed, side), level), epoch);
  // Deeper levels rest more size; a level holds roughly one order per typical trade size.
  const typical = instrument.dailyVolume / 20_000;
  const quantity = roundAmount(instrument, typical * (0.3 + 1.7 * unit(hash)) * (1 + level * 0.15));
  const orders = 1 + Math.floor(((quantity / typical) * (1 + (hash & 7))) / 2);
  setLevel(out, level, price, quantity, orders);
}
