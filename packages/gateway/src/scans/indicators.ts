/**
 * The scan's indicators, as pure functions of a series of closing prices (oldest first). Each
 * returns null when the series is too short for it, never NaN.
 */

/** Simple moving average of the last `period` values. */
export function sma(values: readonly number[], period: number, end = values.length): number | null {
  if (period < 1 || end < period) return null;
  let sum = 0;
  for (let i = end - period; i < end; i++) sum += values[i] as number;
  return sum / period;
}

/**
 * Relative strength index with Wilder's smoothing: the first average gain and loss are simple
 * means of the first `period` changes, each later one is (previous * (period - 1) + change) /
 * period. 100 when there was no loss at all, 50 when the price never moved.
 */
export function rsi(closes: readonly number[], period = 14): number | null {
  if (period < 1 || closes.length < period + 1) return null;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = (closes[i] as number) - (closes[i - 1] as number);
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  for (let i = period + 1; i < closes.length; i++) {
    const change = (closes[i] as number) - (closes[i - 1] as number);
    gain = (gain * (period - 1) + Math.max(change, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-change, 0)) / period;
  }
  if (loss === 0) return gain === 0 ? 50 : 100;
  return 100 - 100 / (1 + gain / loss);
}

/** Where a fast moving average stands against a slow one. */
export interface MaCross {
  fast: number;
  slow: number;
  /** (fast / slow - 1) * 100. */
  spreadPercent: number;
  /** bullish when fast > slow, bearish when fast < slow. */
  trend: 'bullish' | 'bearish' | 'neutral';
  /** True when the trend changed on the last candle (fast crossed slow). */
  crossed: boolean;
}

/** Simple moving averages `fastPeriod` and `slowPeriod` of the closes, and whether they just crossed. */
export function maCross(closes: readonly number[], fastPeriod = 9, slowPeriod = 21): MaCross | null {
  const fast = sma(closes, fastPeriod);
  const slow = sma(closes, slowPeriod);
  if (fast === null || slow === null || slow === 0) return null;
  const trend = sign(fast - slow);
  const previousFast = sma(closes, fastPeriod, closes.length - 1);
  const previousSlow = sma(closes, slowPeriod, closes.length - 1);
  const previous = previousFast === null || previousSlow === null ? trend : sign(previousFast - previousSlow);
  return { fast, slow, spreadPercent: (fast / slow - 1) * 100, trend, crossed: previous !== trend };
}

/** Sample standard deviation of the per-candle log returns, in percent. */
export function volatility(closes: readonly number[]): number | null {
  if (closes.length < 3) return null;
  const returns: number[] = [];
  for (let i = 1; i < closes.length; i++) {
    const previous = closes[i - 1] as number;
    const current = closes[i] as number;
    if (previous <= 0 || current <= 0) return null;
    returns.push(Math.log(current / previous));
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance) * 100;
}

/** Change from the first close to the last, in percent. */
export function change(closes: readonly number[]): number | null {
  const first = closes[0];
  const last = closes[closes.length - 1];
  if (first === undefined || last === undefined || first === 0 || closes.length < 2) return null;
  return (last / first - 1) * 100;
}

function sign(delta: number): MaCross['trend'] {
  return delta > 0 ? 'bullish' : delta < 0 ? 'bearish' : 'neutral';
}
