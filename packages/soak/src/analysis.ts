import { fitLine, slopeConfidenceInterval, type Interval } from '@steadystate/lifecycle/testing';
import type { Sample } from './sample.js';

/** A least-squares trend of a memory series, in MB per hour. */
export interface Trend {
  /** Points fitted. */
  readonly n: number;
  readonly slopeMbPerHour: number;
  /** 95% confidence interval of the slope (Student's t, n - 2 degrees of freedom). */
  readonly ci95: Interval;
  /** Share of the variance the line explains, 0 to 1. */
  readonly r2: number;
  /** The fitted value at t = 0, in MB (to draw the line). */
  readonly interceptMb: number;
}

/**
 * A robust trend: the Theil–Sen slope (the median of the slopes between every pair of points)
 * through the medians of consecutive time windows. A burst that lasts a few windows moves a
 * handful of the pairwise slopes, not their median; a steady climb moves them all.
 */
export interface RobustTrend {
  readonly slopeMbPerHour: number;
  /** Windows whose medians were fitted. */
  readonly windows: number;
  readonly windowSeconds: number;
}

/** Peak, final, steady level and trends of one memory series. */
export interface SeriesSummary {
  readonly peakMb: number;
  readonly finalMb: number;
  /** Median after the warm-up: the level the target settled at, insensitive to GC spikes. */
  readonly steadyMb: number | null;
  /** Least squares through every point; null with fewer than 3 points after the warm-up. */
  readonly trend: Trend | null;
  /** Theil–Sen through per-window medians; null with fewer than 3 windows. */
  readonly robust: RobustTrend | null;
}

export type Verdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

export interface VerdictResult {
  readonly verdict: Verdict;
  /** One sentence a person reads in the report. */
  readonly reason: string;
  /**
   * Whether the upper end of the slope's 95% interval is within the bound too: false means the
   * run passed on its best estimate but is too short or too noisy to rule out growth above the
   * bound (run longer). Null when there is no trend.
   */
  readonly boundHoldsAt95: boolean | null;
}

export interface Analysis {
  readonly samplesAfterWarmup: number;
  readonly rss: SeriesSummary | null;
  readonly heapUsed: SeriesSummary | null;
  readonly external: SeriesSummary | null;
  /** The runner's own RSS: its trend shows the runner did not drift either. */
  readonly runnerRss: SeriesSummary | null;
  readonly gc: { readonly pauseMsTotal: number; readonly maxPauseMsPerSecond: number } | null;
  readonly verdict: VerdictResult;
}

/** Fewer points than this after the warm-up cannot carry a verdict. */
export const MIN_SAMPLES_AFTER_WARMUP = 10;
/** Points after the warm-up must also span this many seconds. */
export const MIN_SPAN_SECONDS = 10;

const SECONDS_PER_HOUR = 3600;
/** Windows of the robust trend: one minute, or a tenth of a shorter span. */
export const ROBUST_WINDOW_SECONDS = 60;
const MIN_ROBUST_WINDOWS = 10;

/**
 * The least-squares slope of `mb` over `t` (seconds) in MB per hour, with its 95% confidence
 * interval, from the toolkit's fitLine and slopeConfidenceInterval. Null with fewer than three
 * points (two always fit exactly, leaving nothing to estimate the noise from) or a single instant.
 */
export function trendMbPerHour(points: readonly { t: number; mb: number }[]): Trend | null {
  if (points.length < 3) return null;
  const hours = points.map((p) => p.t / SECONDS_PER_HOUR);
  if (hours.every((h) => h === hours[0])) return null;
  const fit = fitLine(
    hours,
    points.map((p) => p.mb),
  );
  return {
    n: fit.n,
    slopeMbPerHour: fit.slope,
    ci95: slopeConfidenceInterval(fit, 0.95),
    r2: fit.r2,
    interceptMb: fit.intercept,
  };
}

/**
 * The Theil–Sen slope through the medians (of time and of MB) of consecutive windows of
 * ROBUST_WINDOW_SECONDS, or of a tenth of the span when that is shorter, in MB per hour. Points
 * come in time order. Null with fewer than three windows. A day of one-minute windows makes
 * about a million pairs: a typed array sorted once.
 */
export function robustTrendMbPerHour(points: readonly { t: number; mb: number }[]): RobustTrend | null {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined || last.t <= first.t) return null;
  const windowSeconds = Math.min(ROBUST_WINDOW_SECONDS, (last.t - first.t) / MIN_ROBUST_WINDOWS);
  const hours: number[] = [];
  const mbs: number[] = [];
  let start = 0;
  while (start < points.length) {
    const index = Math.floor(((points[start] as { t: number }).t - first.t) / windowSeconds);
    let end = start;
    while (
      end < points.length &&
      Math.floor(((points[end] as { t: number }).t - first.t) / windowSeconds) === index
    )
      end++;
    const window = points.slice(start, end);
    hours.push((median(window.map((p) => p.t)) as number) / SECONDS_PER_HOUR);
    mbs.push(median(window.map((p) => p.mb)) as number);
    start = end;
  }
  const n = hours.length;
  if (n < 3) return null;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      slopes[k++] = ((mbs[j] as number) - (mbs[i] as number)) / ((hours[j] as number) - (hours[i] as number));
    }
  }
  slopes.sort();
  const middle = Math.floor(k / 2);
  const slope =
    k % 2 === 1
      ? (slopes[middle] as number)
      : ((slopes[middle - 1] as number) + (slopes[middle] as number)) / 2;
  return { slopeMbPerHour: slope, windows: n, windowSeconds };
}

/**
 * The verdict on the RSS trend after the warm-up, against `maxSlopeMbPerHour`:
 * - INCONCLUSIVE with fewer than MIN_SAMPLES_AFTER_WARMUP points or a span under MIN_SPAN_SECONDS;
 * - FAIL when the robust slope (Theil–Sen over per-window medians) is above the bound;
 * - PASS otherwise.
 *
 * The robust slope decides: a burst of a few minutes (a backlog that drains, a GC that runs
 * late) can carry a least-squares line over the bound while the level it returns to is flat.
 * The least-squares slope and its interval are reported beside it. A point estimate decides, not
 * an end of the confidence interval: one sample a second of RSS
 * is strongly autocorrelated (GC sawtooth, allocator plateaus), so the interval, which assumes
 * independent residuals, is narrower than the truth. Failing only when the lower end exceeds the
 * bound would trust that false precision in the target's favour; failing whenever the upper end
 * does would fail every short run. The interval is reported, and `boundHoldsAt95` says whether
 * its upper end is within the bound as well.
 */
export function decideVerdict(
  rss: Trend | null,
  robust: RobustTrend | null,
  spanSeconds: number,
  maxSlopeMbPerHour: number,
): VerdictResult {
  if (rss === null || robust === null || rss.n < MIN_SAMPLES_AFTER_WARMUP || spanSeconds < MIN_SPAN_SECONDS) {
    return {
      verdict: 'INCONCLUSIVE',
      reason: `${rss?.n ?? 0} RSS samples over ${spanSeconds.toFixed(0)} s after the warm-up; at least ${MIN_SAMPLES_AFTER_WARMUP} over ${MIN_SPAN_SECONDS} s are needed for a trend`,
      boundHoldsAt95: null,
    };
  }
  const slope = robust.slopeMbPerHour;
  const boundHoldsAt95 = rss.ci95.upper <= maxSlopeMbPerHour;
  const both = `robust slope ${format(slope)} MB/h (least squares ${format(rss.slopeMbPerHour)} MB/h)`;
  if (slope > maxSlopeMbPerHour) {
    return {
      verdict: 'FAIL',
      reason: `RSS grows after the warm-up: ${both}, above the bound of ${format(maxSlopeMbPerHour)} MB/h`,
      boundHoldsAt95,
    };
  }
  return {
    verdict: 'PASS',
    reason: `RSS after the warm-up: ${both}, within the bound of ${format(maxSlopeMbPerHour)} MB/h${
      boundHoldsAt95
        ? ''
        : ' (the least-squares 95% interval reaches above it: a longer run would be more certain)'
    }`,
    boundHoldsAt95,
  };
}

/** The analysis of a run's samples: per-series summaries after the warm-up and the verdict. */
export function analyze(
  samples: readonly Sample[],
  warmupSeconds: number,
  maxSlopeMbPerHour: number,
): Analysis {
  const after = samples.filter((s) => s.t >= warmupSeconds);
  const rss = summarize(samples, after, (s) => s.rssMb);
  const span = after.length > 0 ? (after.at(-1)?.t ?? 0) - (after[0]?.t ?? 0) : 0;
  const pauses = samples.map((s) => s.gcPauseMsPerSecond).filter((v): v is number => v !== null);
  let pauseMsTotal = 0;
  for (let i = 1; i < samples.length; i++) {
    const rate = samples[i]?.gcPauseMsPerSecond;
    if (rate !== null && rate !== undefined)
      pauseMsTotal += rate * ((samples[i]?.t ?? 0) - (samples[i - 1]?.t ?? 0));
  }
  return {
    samplesAfterWarmup: after.length,
    rss,
    heapUsed: summarize(samples, after, (s) => s.heapUsedMb),
    external: summarize(samples, after, (s) => s.externalMb),
    runnerRss: summarize(samples, after, (s) => s.runnerRssMb),
    gc: pauses.length === 0 ? null : { pauseMsTotal, maxPauseMsPerSecond: max(pauses) },
    verdict: decideVerdict(rss?.trend ?? null, rss?.robust ?? null, span, maxSlopeMbPerHour),
  };
}

/** Median of the values; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function summarize(
  all: readonly Sample[],
  after: readonly Sample[],
  value: (s: Sample) => number | null,
): SeriesSummary | null {
  const points = (list: readonly Sample[]) =>
    list.flatMap((s) => {
      const mb = value(s);
      return mb === null ? [] : [{ t: s.t, mb }];
    });
  const every = points(all);
  const last = every.at(-1);
  if (last === undefined) return null;
  const settled = points(after);
  return {
    peakMb: max(every.map((p) => p.mb)),
    finalMb: last.mb,
    steadyMb: median(settled.map((p) => p.mb)),
    trend: trendMbPerHour(settled),
    robust: robustTrendMbPerHour(settled),
  };
}

/** A loop, not Math.max(...values): a day of samples is too many arguments for one call. */
function max(values: readonly number[]): number {
  let highest = -Infinity;
  for (const v of values) if (v > highest) highest = v;
  return highest;
}

function format(mbPerHour: number): string {
  return mbPerHour.toFixed(Math.abs(mbPerHour) < 10 ? 2 : 1);
}
