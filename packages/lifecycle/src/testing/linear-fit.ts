import { studentTQuantile } from './student-t.js';

/** An ordinary least-squares line y = intercept + slope × x through a set of points. */
export interface LinearFit {
  /** How many points were fitted. */
  readonly n: number;
  readonly slope: number;
  readonly intercept: number;
  /**
   * Coefficient of determination, from 0 to 1: the share of the variance of y the line explains.
   * 1 when every point lies on the line, including when y is constant.
   */
  readonly r2: number;
  /**
   * Standard error of the slope, from the residuals. `Infinity` with two points: a line always
   * passes through both, so nothing is left to estimate the noise from.
   */
  readonly slopeStandardError: number;
}

/** A closed interval. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Fits a least-squares line through the points (xs[i], ys[i]). Sums are taken around the means,
 * so values far from zero (heap sizes of 10^8 bytes, timestamps in ms) keep their precision.
 * Throws a RangeError for fewer than two points, arrays of different lengths, a value that is
 * not finite, or xs that are all equal (no slope exists).
 */
export function fitLine(xs: readonly number[], ys: readonly number[]): LinearFit {
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`fitLine: ${n} xs but ${ys.length} ys`);
  if (n < 2) throw new RangeError(`fitLine: needs at least 2 points; received ${n}`);
  if (!xs.every(Number.isFinite) || !ys.every(Number.isFinite)) {
    throw new RangeError('fitLine: every x and y must be a finite number');
  }
  const meanX = mean(xs);
  const meanY = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError('fitLine: all xs are equal, so the slope is undefined');
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  // Residuals summed directly: syy - slope * sxy can cancel to a small negative number.
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const residual = (ys[i] as number) - (intercept + slope * (xs[i] as number));
    sse += residual * residual;
  }
  return {
    n,
    slope,
    intercept,
    r2: syy === 0 ? 1 : Math.max(0, 1 - sse / syy),
    slopeStandardError: n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : Infinity,
  };
}

/**
 * The two-sided confidence interval of the slope at `confidence` (0.95 for 95%), from Student's
 * t with n - 2 degrees of freedom. With two points the interval is (-Infinity, Infinity).
 */
export function slopeConfidenceInterval(fit: LinearFit, confidence = 0.95): Interval {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(
      `slopeConfidenceInterval: confidence must be between 0 and 1; received ${confidence}`,
    );
  }
  if (!Number.isFinite(fit.slopeStandardError)) return { lower: -Infinity, upper: Infinity };
  const halfWidth = studentTQuantile((1 + confidence) / 2, fit.n - 2) * fit.slopeStandardError;
  return { lower: fit.slope - halfWidth, upper: fit.slope + halfWidth };
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
