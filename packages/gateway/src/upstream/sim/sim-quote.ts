import type { QuoteFields } from '../../domain/tick.js';
import { combine, combineIndex, unit } from './prng.js';
import { roundAmount, roundPrice, type SimInstrument } from './sim-instrument.js';
import { priceAt } from './sim-price-path.js';

const DAY_MS = 86_400_000;
/** The session's high and low are sampled on this grid (plus the current price): 288 points a day. */
const SESSION_GRID_MS = 300_000;
const TRADE_SALT = 0x7ade;
const BUY_TOTAL_SALT = 0x70a1;
const SELL_TOTAL_SALT = 0x70a2;
const DAY_VOLUME_SALT = 0xda7;

/**
 * The UTC-day session of one subscribed symbol: open, high and low so far. A crypto market never
 * closes, so the session's open is also the previous close that change is measured against.
 * High and low are the extremes of the price on a 5-minute grid since midnight and of the
 * current price: a pure function of the time, while each tick costs at most one new grid point
 * (the first tick of a session samples the grid up to its time once).
 */
export class SimSession {
  dayStart = Number.NaN;
  open = 0;
  high = 0;
  low = 0;
  #sampledUntil = 0;
  #gridHigh = 0;
  #gridLow = 0;

  /** Brings the session up to `time`, at which the price is `ltp`. */
  advance(instrument: SimInstrument, time: number, ltp: number): void {
    const dayStart = time - (time % DAY_MS);
    if (dayStart !== this.dayStart) {
      this.dayStart = dayStart;
      this.open = priceAt(instrument, dayStart);
      this.#gridHigh = this.open;
      this.#gridLow = this.open;
      this.#sampledUntil = dayStart;
    }
    while (this.#sampledUntil + SESSION_GRID_MS <= time) {
      this.#sampledUntil += SESSION_GRID_MS;
      const price = priceAt(instrument, this.#sampledUntil);
      if (price > this.#gridHigh) this.#gridHigh = price;
      if (price < this.#gridLow) this.#gridLow = price;
    }
    this.high = Math.max(this.#gridHigh, ltp);
    this.low = Math.min(this.#gridLow, ltp);
  }
}

/** The level-2 fields of `instrument` at `time`, from a session already advanced to `time`. */
export function quoteAt(
  instrument: SimInstrument,
  session: SimSession,
  ltp: number,
  time: number,
): QuoteFields {
  const { open, high, low, dayStart } = session;
  const seed = instrument.seed;
  // Volume accrues evenly through the day, at a rate drawn once per day.
  const dayRate = 0.6 + 0.8 * unit(combineIndex(combine(seed, DAY_VOLUME_SALT), dayStart));
  const trade = unit(combineIndex(combine(seed, TRADE_SALT), time));
  const restingSize = instrument.dailyVolume / 100;
  return {
    volume: roundAmount(instrument, (instrument.dailyVolume * dayRate * (time - dayStart)) / DAY_MS),
    open,
    high,
    low,
    close: open,
    lastTradeQuantity: roundAmount(
      instrument,
      (instrument.dailyVolume / 200_000) * (0.1 + 4 * trade * trade),
    ),
    averagePrice: roundPrice(instrument, (open + high + low + ltp) / 4),
    totalBuyQuantity: roundAmount(
      instrument,
      restingSize * (0.5 + unit(combineIndex(combine(seed, BUY_TOTAL_SALT), time))),
    ),
    totalSellQuantity: roundAmount(
      instrument,
      restingSize * (0.5 + unit(combineIndex(combine(seed, SELL_TOTAL_SALT), time))),
    ),
    change: roundPrice(instrument, ltp - open),
    changePercent: Math.round(((ltp - open) / open) * 10_000) / 100,
    // Spot crypto has no open interest and no circuit limits.
    oi: 0,
    upperCircuit: 0,
    lowerCircuit: 0,
  };
}
