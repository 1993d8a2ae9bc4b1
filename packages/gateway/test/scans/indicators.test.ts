import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { change, maCross, rsi, sma, volatility } from '../../src/scans/indicators.js';

/** Equal up to floating-point rounding: the expected values below are exact fractions. */
function near(actual: number | null | undefined, expected: number): void {
  assert.ok(typeof actual === 'number', `expected a number, got ${actual}`);
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${actual} != ${expected}`,
  );
}

/**
 * Twenty closes whose changes are small whole numbers, so Wilder's averages stay exact fractions:
 * changes +2 -1 +3 +1 -2 +2 +1 -1 +2 +3 -1 +1 -2 +2 | +1 -3 +2 0 -1.
 */
const CLOSES = [
  100, 102, 101, 104, 105, 103, 105, 106, 105, 107, 110, 109, 110, 108, 110, 111, 108, 110, 110, 109,
];

describe('sma', () => {
  it('averages the last `period` values, or those before `end`', () => {
    near(sma([1, 2, 3, 4, 10], 2), 7); // (4 + 10) / 2
    near(sma([1, 2, 3, 4, 10], 5), 4); // 20 / 5
    near(sma([1, 2, 3, 4, 10], 3, 4), 3); // (2 + 3 + 4) / 3
  });

  it('is null when there are fewer values than the period, or the period is below 1', () => {
    assert.equal(sma([1, 2], 3), null);
    assert.equal(sma([1, 2, 3], 3, 2), null);
    assert.equal(sma([1, 2, 3], 0), null);
  });
});

describe('rsi (Wilder smoothing)', () => {
  it('matches the hand computation over 20 closes, period 14', () => {
    // First 14 changes: gains 2+3+1+2+1+2+3+1+2 = 17, losses 1+2+1+1+2 = 7.
    //   avgGain0 = 17/14, avgLoss0 = 7/14.
    // Then avg = (previous * 13 + this change's gain or loss) / 14 for each of the last 5 changes:
    //   +1: G1 = (17*13/14 + 1)/14 = 235/196          L1 = (7*13/14)/14 = 91/196
    //   -3: G2 = 235*13/(196*14) = 3055/2744         L2 = (91*13 + 3*196)/2744 = 1771/2744
    //   +2: G3 = (3055*13 + 2*2744)/38416 = 45203/38416   L3 = 1771*13/38416 = 23023/38416
    //    0: G4 = 45203*13/537824 = 587639/537824      L4 = 23023*13/537824 = 299299/537824
    //   -1: G5 = 587639*13/7529536 = 7639307/7529536  L5 = (299299*13 + 537824)/7529536 = 4428711/7529536
    // RS = G5/L5 = 7639307/4428711; RSI = 100 - 100/(1 + RS) = 100 * 7639307/12068018 = 63.302084899...
    near(rsi(CLOSES, 14), (100 * 7639307) / 12068018);
  });

  it('with exactly period + 1 closes is the plain ratio of the first averages', () => {
    // RS = (17/14) / (7/14) = 17/7; RSI = 100 * 17/24 = 70.8333...
    near(rsi(CLOSES.slice(0, 15), 14), (100 * 17) / 24);
  });

  it('is 100 without losses, 50 for a flat series, null when too short', () => {
    assert.equal(rsi([1, 2, 3, 4], 3), 100);
    assert.equal(rsi([5, 5, 5, 5], 3), 50);
    assert.equal(rsi([1, 2, 3], 3), null);
    near(rsi([4, 3, 2, 1], 3), 0);
  });
});

describe('maCross', () => {
  it('reports a fresh cross when the trend changed on the last candle', () => {
    // Last candle:   fast(2) = (8 + 14)/2 = 11,  slow(4) = (10 + 10 + 8 + 14)/4 = 10.5  -> bullish
    // One candle before: fast = (10 + 8)/2 = 9,  slow = (10 + 10 + 10 + 8)/4 = 9.5     -> bearish
    const cross = maCross([10, 10, 10, 10, 8, 14], 2, 4);
    assert.ok(cross);
    near(cross.fast, 11);
    near(cross.slow, 10.5);
    near(cross.spreadPercent, (11 / 10.5 - 1) * 100); // 4.7619...%
    assert.equal(cross.trend, 'bullish');
    assert.equal(cross.crossed, true);
  });

  it('reports no cross while the trend holds', () => {
    // fast = (8 + 7)/2 = 7.5 < slow = (10 + 9 + 8 + 7)/4 = 8.5, and before: 8.5 < 9.5
    const cross = maCross([11, 10, 9, 8, 7], 2, 4);
    assert.ok(cross);
    near(cross.spreadPercent, (7.5 / 8.5 - 1) * 100);
    assert.deepEqual([cross.trend, cross.crossed], ['bearish', false]);
  });

  it('is neutral when the averages are equal, and crossed when they were not before', () => {
    // fast = (2 + 4)/2 = 3, slow = (3 + 3 + 2 + 4)/4 = 3; before: fast 2.5 < slow (3+3+3+2)/4 = 2.75
    const cross = maCross([3, 3, 3, 2, 4], 2, 4);
    assert.ok(cross);
    assert.deepEqual([cross.trend, cross.crossed, cross.spreadPercent], ['neutral', true, 0]);
  });

  it('with exactly `slow` closes has no previous candle and so no cross', () => {
    const cross = maCross([1, 2, 3, 4], 2, 4);
    assert.deepEqual(cross && [cross.trend, cross.crossed], ['bullish', false]);
  });

  it('is null when too short or when the slow average is 0', () => {
    assert.equal(maCross([1, 2, 3], 2, 4), null);
    assert.equal(maCross([0, 0, 0, 0], 2, 4), null);
  });
});

describe('volatility', () => {
  it('is the sample standard deviation of the log returns, in percent', () => {
    // Returns ln2, -ln2, ln2; mean ln2/3; deviations 2ln2/3, -4ln2/3, 2ln2/3;
    // sum of squares (4 + 16 + 4)/9 ln²2 = 24/9 ln²2; over n - 1 = 2: 4/3 ln²2;
    // stdev = 2 ln2 / sqrt(3) = 0.800377...; in percent 80.0377...
    near(volatility([1, 2, 1, 2]), ((2 * Math.LN2) / Math.sqrt(3)) * 100);
    // Constant growth: every return is ln 1.1, so they do not vary at all.
    near(volatility([100, 110, 121, 133.1]), 0);
  });

  it('is null for fewer than 3 closes or a price that is not positive', () => {
    assert.equal(volatility([1, 2]), null);
    assert.equal(volatility([1, 0, 2]), null);
    assert.equal(volatility([1, -2, 2]), null);
  });
});

describe('change', () => {
  it('is the change from the first close to the last, in percent', () => {
    near(change([50, 70, 55]), 10); // 55/50 - 1 = 0.1
    near(change([200, 150]), -25);
  });

  it('is null for fewer than 2 closes or a first close of 0', () => {
    assert.equal(change([5]), null);
    assert.equal(change([]), null);
    assert.equal(change([0, 5]), null);
  });
});
