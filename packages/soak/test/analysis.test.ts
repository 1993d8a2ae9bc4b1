import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyze,
  decideVerdict,
  median,
  MIN_SAMPLES_AFTER_WARMUP,
  robustTrendMbPerHour,
  trendMbPerHour,
} from '../src/analysis.js';
import { rssSeries, sampleAt } from './support/samples.js';

describe('trendMbPerHour', () => {
  it('recovers the slope of an exact line, in MB per hour, with a zero-width interval', () => {
    // 0.01 MB a second is 36 MB an hour.
    const points = Array.from({ length: 101 }, (_, t) => ({ t, mb: 50 + 0.01 * t }));
    const trend = trendMbPerHour(points);
    assert.ok(trend);
    assert.ok(Math.abs(trend.slopeMbPerHour - 36) < 1e-9);
    assert.ok(Math.abs(trend.interceptMb - 50) < 1e-9);
    assert.ok(Math.abs(trend.ci95.lower - 36) < 1e-6 && Math.abs(trend.ci95.upper - 36) < 1e-6);
    assert.equal(trend.r2, 1);
    assert.equal(trend.n, 101);
  });

  it('converts seconds to hours: 1 MB a minute is 60 MB/h, whatever the sampling step', () => {
    const everyTenSeconds = Array.from({ length: 30 }, (_, i) => ({ t: i * 10, mb: 100 + (i * 10) / 60 }));
    assert.ok(Math.abs((trendMbPerHour(everyTenSeconds)?.slopeMbPerHour ?? NaN) - 60) < 1e-9);
  });

  it('gives no trend for fewer than three points or a single instant', () => {
    assert.equal(trendMbPerHour([]), null);
    assert.equal(
      trendMbPerHour([
        { t: 0, mb: 1 },
        { t: 1, mb: 2 },
      ]),
      null,
    );
    assert.equal(
      trendMbPerHour([
        { t: 5, mb: 1 },
        { t: 5, mb: 2 },
        { t: 5, mb: 3 },
      ]),
      null,
    );
  });
});

describe('verdict', () => {
  it('fails a rising series: 20 MB/h under ±2 MB of noise against a 10 MB/h bound', () => {
    const samples = rssSeries({ seconds: 1800, baseMb: 150, slopeMbPerHour: 20, noiseMb: 2 });
    const result = analyze(samples, 60, 10);
    assert.equal(result.verdict.verdict, 'FAIL');
    // Half an hour of ±2 MB noise pins the slope to within about 1.5 MB/h (4 standard errors).
    const slope = result.rss?.trend?.slopeMbPerHour ?? NaN;
    assert.ok(Math.abs(slope - 20) < 1.5, `estimated ${slope} MB/h`);
    assert.equal(result.verdict.boundHoldsAt95, false);
  });

  it('passes a flat noisy series, with the bound holding at 95%', () => {
    const samples = rssSeries({ seconds: 1800, baseMb: 150, slopeMbPerHour: 0, noiseMb: 3 });
    const result = analyze(samples, 60, 10);
    assert.equal(result.verdict.verdict, 'PASS');
    assert.equal(result.verdict.boundHoldsAt95, true);
    const trend = result.rss?.trend;
    assert.ok(trend && Math.abs(trend.slopeMbPerHour) < 2, `estimated ${trend?.slopeMbPerHour} MB/h`);
    assert.ok(trend.ci95.upper - trend.ci95.lower < 3, 'half an hour of samples gives a narrow interval');
  });

  it('leaves the warm-up out: growth to the working size first, flat after, passes', () => {
    const samples = rssSeries({ seconds: 600, baseMb: 150, slopeMbPerHour: 0, noiseMb: 1 }).map((s) =>
      s.t < 60 ? { ...s, rssMb: 80 + s.t } : s,
    );
    assert.equal(analyze(samples, 60, 10).verdict.verdict, 'PASS');
    // Counted, the ramp carries the least-squares line over the bound (one window of ten does not move Theil–Sen).
    const counted = analyze(samples, 0, 10).rss?.trend?.slopeMbPerHour ?? NaN;
    assert.ok(counted > 10, `least squares with the warm-up: ${counted} MB/h`);
  });

  it('judges on the point estimate: a slope just above the bound fails even when its interval reaches below', () => {
    const trend = { n: 100, slopeMbPerHour: 11, ci95: { lower: 5, upper: 17 }, r2: 0.2, interceptMb: 100 };
    const robust = (slopeMbPerHour: number) => ({ slopeMbPerHour, windows: 10, windowSeconds: 10 });
    assert.equal(decideVerdict(trend, robust(11), 100, 10).verdict, 'FAIL');
    const within = { ...trend, slopeMbPerHour: 9, ci95: { lower: 3, upper: 15 } };
    const pass = decideVerdict(within, robust(9), 100, 10);
    assert.equal(pass.verdict, 'PASS');
    assert.equal(pass.boundHoldsAt95, false, 'the interval reaching above the bound is reported');
  });

  it('decides on the robust slope: a burst of a few minutes carries least squares over the bound, not Theil–Sen', () => {
    // Flat at 150 MB for half an hour, with a 3-minute burst to 300 MB near the end (a backlog that drains).
    const samples = rssSeries({ seconds: 1800, baseMb: 150, slopeMbPerHour: 0, noiseMb: 2 }).map((s) =>
      s.t >= 1500 && s.t < 1680 ? { ...s, rssMb: 300 } : s,
    );
    const result = analyze(samples, 60, 10);
    const leastSquares = result.rss?.trend?.slopeMbPerHour ?? NaN;
    const robust = result.rss?.robust?.slopeMbPerHour ?? NaN;
    assert.ok(leastSquares > 10, `least squares ${leastSquares} MB/h`);
    assert.ok(Math.abs(robust) < 2, `robust ${robust} MB/h`);
    assert.equal(result.rss?.robust?.windows, 29, 'one-minute windows after the warm-up');
    assert.equal(result.verdict.verdict, 'PASS');
    assert.match(result.verdict.reason, /robust slope .* \(least squares .*\)/);
  });

  it('the robust slope still fails a steady climb', () => {
    const samples = rssSeries({ seconds: 1800, baseMb: 150, slopeMbPerHour: 20, noiseMb: 2 });
    const robust = robustTrendMbPerHour(samples.map((s) => ({ t: s.t, mb: s.rssMb ?? 0 })));
    assert.ok(robust && Math.abs(robust.slopeMbPerHour - 20) < 1.5, `robust ${robust?.slopeMbPerHour} MB/h`);
    assert.equal(robustTrendMbPerHour([{ t: 1, mb: 1 }]), null);
    assert.equal(
      robustTrendMbPerHour([
        { t: 1, mb: 1 },
        { t: 1, mb: 2 },
      ]),
      null,
    );
  });

  it('is inconclusive with too few samples or too short a span after the warm-up', () => {
    const few = Array.from({ length: MIN_SAMPLES_AFTER_WARMUP - 1 }, (_, i) => sampleAt(100 + i * 5, 100));
    assert.equal(analyze(few, 100, 10).verdict.verdict, 'INCONCLUSIVE');
    const short = Array.from({ length: 40 }, (_, i) => sampleAt(100 + i * 0.2, 100 + i));
    assert.equal(analyze(short, 100, 10).verdict.verdict, 'INCONCLUSIVE', '40 samples within 8 s');
    const enough = Array.from({ length: 20 }, (_, i) => sampleAt(100 + i, 100));
    assert.equal(analyze(enough, 100, 10).verdict.verdict, 'PASS');
    assert.equal(analyze([], 0, 10).verdict.verdict, 'INCONCLUSIVE');
  });

  it('skips samples without an RSS reading rather than counting them as zero', () => {
    const samples = rssSeries({ seconds: 300, baseMb: 100, slopeMbPerHour: 0, noiseMb: 0.5 }).map((s) =>
      s.t % 10 === 0 ? { ...s, rssMb: null } : s,
    );
    const result = analyze(samples, 30, 10);
    assert.equal(result.verdict.verdict, 'PASS');
    assert.equal(result.rss?.trend?.n, 243);
  });
});

describe('series summary', () => {
  it('reports peak, final and the median after the warm-up as the steady level', () => {
    const samples = [
      sampleAt(0, 300),
      sampleAt(10, 100),
      sampleAt(11, 104),
      sampleAt(12, 102),
      sampleAt(13, 90),
    ];
    const rss = analyze(samples, 10, 10).rss;
    assert.equal(rss?.peakMb, 300);
    assert.equal(rss?.finalMb, 90);
    assert.equal(rss?.steadyMb, 101);
  });

  it('sums GC pause time over the run from the per-second rates', () => {
    const samples = [0, 1, 2, 4].map((t) => sampleAt(t, 100, { gcPauseMsPerSecond: t === 4 ? 5 : 2 }));
    // 2 ms/s over 1 s, 1 s, then 5 ms/s over 2 s; the first rate has no interval before it.
    assert.deepEqual(analyze(samples, 0, 10).gc, { pauseMsTotal: 14, maxPauseMsPerSecond: 5 });
  });

  it('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });
});
