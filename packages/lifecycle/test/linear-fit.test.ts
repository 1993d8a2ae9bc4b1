import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitLine, slopeConfidenceInterval } from '../src/testing/linear-fit.js';
import { seededRandom } from '../src/seeded-random.js';
import { studentTCdf, studentTQuantile } from '../src/testing/student-t.js';

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

/** Standard normal deviates by the Box-Muller transform. */
function seededGaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe("Student's t", () => {
  // Reference quantiles from statistical tables (R: qt(p, df)).
  const table: [p: number, df: number, t: number][] = [
    [0.975, 1, 12.7062047],
    [0.975, 2, 4.30265273],
    [0.975, 3, 3.18244631],
    [0.975, 10, 2.22813885],
    [0.975, 30, 2.04227246],
    [0.995, 8, 3.35538733],
    [0.99, 9, 2.82143793],
    [0.95, 1, 6.31375151],
    [0.975, 1_000_000, 1.95996636],
  ];
  for (const [p, df, t] of table) {
    it(`quantile(${p}, ${df}) = ${t}`, () => {
      close(studentTQuantile(p, df), t, 1e-6 * t, 'quantile');
      close(studentTQuantile(1 - p, df), -t, 1e-6 * t, 'lower quantile');
      close(studentTCdf(t, df), p, 1e-8, 'cdf');
    });
  }

  it('is 0 at the median and rejects p or df out of range', () => {
    assert.equal(studentTQuantile(0.5, 4), 0);
    for (const [p, df] of [
      [0, 3],
      [1, 3],
      [Number.NaN, 3],
      [0.9, 0],
      [0.9, Infinity],
    ] as const) {
      assert.throws(() => studentTQuantile(p, df), RangeError);
    }
  });
});

describe('fitLine on exact data', () => {
  it('recovers slope and intercept of points on a line, with r² 1 and zero error', () => {
    const xs = [0, 1000, 2000, 3000, 4000, 5000];
    const ys = xs.map((x) => 50_000_000 + 112 * x);
    const fit = fitLine(xs, ys);
    close(fit.slope, 112, 1e-9, 'slope');
    close(fit.intercept, 50_000_000, 1e-3, 'intercept');
    close(fit.r2, 1, 1e-12, 'r2');
    close(fit.slopeStandardError, 0, 1e-9, 'standard error');
    const interval = slopeConfidenceInterval(fit, 0.99);
    close(interval.lower, 112, 1e-6, 'lower');
    close(interval.upper, 112, 1e-6, 'upper');
    assert.equal(fit.n, 6);
  });

  it('matches a worked textbook example', () => {
    // x 1..5, y 2 4 5 4 5: slope 0.6, intercept 2.2, SSE 2.4, Sxx 10, Syy 6.
    const fit = fitLine([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    close(fit.slope, 0.6, 1e-12, 'slope');
    close(fit.intercept, 2.2, 1e-12, 'intercept');
    close(fit.r2, 0.6, 1e-12, 'r2');
    close(fit.slopeStandardError, Math.sqrt(0.08), 1e-12, 'standard error');
    const interval = slopeConfidenceInterval(fit, 0.95);
    close(interval.lower, 0.6 - 3.18244631 * Math.sqrt(0.08), 1e-6, 'lower');
    close(interval.upper, 0.6 + 3.18244631 * Math.sqrt(0.08), 1e-6, 'upper');
  });

  it('gives slope 0 and r² 1 for constant y, and a flat negative slope exactly', () => {
    const flat = fitLine([1, 2, 3], [7, 7, 7]);
    assert.deepEqual([flat.slope, flat.r2, flat.slopeStandardError], [0, 1, 0]);
    const falling = fitLine([0, 2, 4], [10, 6, 2]);
    close(falling.slope, -2, 1e-12, 'slope');
  });

  it('keeps precision for large values far from zero', () => {
    const xs = [1e12, 1e12 + 1, 1e12 + 2, 1e12 + 3];
    const fit = fitLine(xs, [3e9 + 5, 3e9 + 7, 3e9 + 9, 3e9 + 11]);
    close(fit.slope, 2, 1e-6, 'slope');
  });

  it('has an unbounded interval with two points', () => {
    const fit = fitLine([0, 1], [3, 5]);
    assert.equal(fit.slope, 2);
    assert.equal(fit.slopeStandardError, Infinity);
    assert.deepEqual(slopeConfidenceInterval(fit), { lower: -Infinity, upper: Infinity });
  });

  it('rejects data no line can be fitted through', () => {
    const bad: [number[], number[]][] = [
      [[1], [1]],
      [[1, 2], [1]],
      [
        [1, 1, 1],
        [1, 2, 3],
      ],
      [
        [1, 2, Number.NaN],
        [1, 2, 3],
      ],
      [
        [1, 2, 3],
        [1, Infinity, 3],
      ],
    ];
    for (const [xs, ys] of bad) assert.throws(() => fitLine(xs, ys), RangeError);
    assert.throws(() => slopeConfidenceInterval(fitLine([1, 2, 3], [1, 2, 4]), 1), RangeError);
  });
});

describe('fitLine on noisy data', () => {
  it('estimates the slope under noise, with r² below 1 and an interval around the true slope', () => {
    const noise = seededGaussian(42);
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ys = xs.map((x) => 3 * x + 10 + 5 * noise());
    const fit = fitLine(xs, ys);
    const interval = slopeConfidenceInterval(fit, 0.99);
    assert.ok(fit.r2 > 0.9 && fit.r2 < 1, `r2 ${fit.r2}`);
    assert.ok(interval.lower < 3 && interval.upper > 3, `interval ${interval.lower}..${interval.upper}`);
    assert.ok(fit.slopeStandardError > 0);
  });

  it('95% intervals cover the true slope in about 95% of noisy data sets', () => {
    const noise = seededGaussian(7);
    const xs = Array.from({ length: 10 }, (_, i) => i * 1000);
    const trials = 2000;
    let covered = 0;
    for (let trial = 0; trial < trials; trial++) {
      const ys = xs.map((x) => 4_000_000 + 100 * x + 20_000 * noise());
      const interval = slopeConfidenceInterval(fitLine(xs, ys), 0.95);
      if (interval.lower <= 100 && 100 <= interval.upper) covered++;
    }
    // Binomial standard deviation at 2000 trials is 0.5%; the seeded data make this exact anyway.
    const coverage = covered / trials;
    assert.ok(coverage > 0.93 && coverage < 0.97, `coverage ${coverage}`);
  });

  it('pure noise gives an interval that contains 0', () => {
    const noise = seededGaussian(3);
    const xs = Array.from({ length: 12 }, (_, i) => i);
    const fit = fitLine(
      xs,
      xs.map(() => 1000 + noise()),
    );
    const interval = slopeConfidenceInterval(fit, 0.99);
    assert.ok(interval.lower < 0 && interval.upper > 0, `interval ${interval.lower}..${interval.upper}`);
  });
});
