import { TIMEFRAME_MS, type Candle, type Timeframe } from '../../domain/candle.js';
import { combine, combineIndex, unit } from './prng.js';
import { roundAmount, type SimInstrument } from './sim-instrument.js';
import { priceAt } from './sim-price-path.js';

const DAY_MS = TIMEFRAME_MS['1d'];
/** Points sampled inside a candle for its high and low, besides the open and the close. */
const INNER_SAMPLES = 14;
const VOLUME_SALT = 0xc0ffee;

/**
 * The candle of `instrument` that opens at `start`, read from the same price path as the ticks
 * and cut at `end` (the candle's close time, or earlier for the candle in progress). High and
 * low come from the open, the close and evenly spaced samples, so they bound both. Volume
 * follows the symbol's daily volume, scaled by the candle's length and busier when the price
 * moved more.
 */
export function candleAt(
  instrument: SimInstrument,
  timeframe: Timeframe,
  start: number,
  end: number,
): Candle {
  const open = priceAt(instrument, start);
  const close = priceAt(instrument, end);
  let high = Math.max(open, close);
  let low = Math.min(open, close);
  for (let i = 1; i <= INNER_SAMPLES; i++) {
    const price = priceAt(instrument, start + Math.floor(((end - start) * i) / (INNER_SAMPLES + 1)));
    if (price > high) high = price;
    if (price < low) low = price;
  }
  const draw = unit(combineIndex(combine(instrument.seed, VOLUME_SALT ^ TIMEFRAME_MS[timeframe]), start));
  const move = Math.abs(close / open - 1);
  const share = (end - start) / DAY_MS;
  const volume = roundAmount(
    instrument,
    instrument.dailyVolume * share * (0.4 + 1.2 * draw) * (1 + 40 * move),
  );
  return [start, open, high, low, close, volume];
}
