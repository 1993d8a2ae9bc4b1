import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeIndices } from '../../src/indices/compute-indices.js';
import type { Tick } from '../../src/domain/tick.js';
import { quotedTick } from '../support/ticks.js';

const AT = 1_700_000_000_000;

const quoted = (symbol: string, ltp: number, changePercent: number, volume: number): Tick =>
  quotedTick(symbol, ltp, changePercent, volume, AT);

/** A level-1 tick: a price and nothing else. */
function ltpOnly(symbol: string, ltp: number): Tick {
  return { exchange: 'SIM', symbol, timestamp: AT, ltp, ltt: AT };
}

describe('computeIndices', () => {
  it('computes the hand-checked numbers of four constituents', () => {
    // Quote volumes (ltp x volume): A 1000, B 3000, C 1000, D 1000; total 6000.
    const ticks = [
      quoted('A/USDT', 100, 2, 10),
      quoted('B/USDT', 50, -1, 60),
      quoted('C/USDT', 10, 4, 100),
      quoted('D/USDT', 20, 0, 50),
    ];
    const indices = computeIndices('SIM', ticks, AT);
    assert.equal(indices.computed_at, AT);
    assert.equal(indices.exchange, 'SIM');
    assert.equal(indices.constituents, 4);
    // (2 x 1000 - 1 x 3000 + 4 x 1000 + 0 x 1000) / 6000: B's volume pulls it under the plain mean.
    assert.equal(indices.volume_weighted_change_pct, 0.5);
    assert.equal(indices.equal_weighted_change_pct, 1.25); // (2 - 1 + 4 + 0) / 4
    assert.deepEqual([indices.advancers, indices.decliners, indices.unchanged], [2, 1, 1]);
    assert.equal(indices.advance_decline_ratio, 2);
    // Deviations from 1.25: 0.75, -2.25, 2.75, -1.25; squares sum to 14.75; sample variance / (n - 1).
    assert.ok(Math.abs(indices.dispersion_pct - Math.sqrt(14.75 / 3)) < 1e-12, `${indices.dispersion_pct}`);
    assert.equal(indices.average_abs_change_pct, 1.75); // (2 + 1 + 4 + 0) / 4
    assert.equal(indices.total_quote_volume, 6000);
    assert.deepEqual(indices.top_gainers, [
      { symbol: 'C/USDT', ltp: 10, change_pct: 4 },
      { symbol: 'A/USDT', ltp: 100, change_pct: 2 },
    ]);
    assert.deepEqual(indices.top_losers, [{ symbol: 'B/USDT', ltp: 50, change_pct: -1 }]);
  });

  it('keeps five movers each way, the largest moves first and ties in symbol order', () => {
    const changes: [string, number][] = [
      ['G1', 1],
      ['G5', 5],
      ['G3b', 3],
      ['G3a', 3],
      ['G7', 7],
      ['G2', 2],
      ['L1', -1],
      ['L6', -6],
      ['L4b', -4],
      ['L4a', -4],
      ['L2', -2],
      ['L9', -9],
      ['Z0', 0],
    ];
    const indices = computeIndices(
      'SIM',
      changes.map(([symbol, change]) => quoted(symbol, 1, change, 1)),
      AT,
    );
    assert.deepEqual(
      indices.top_gainers.map((m) => m.symbol),
      ['G7', 'G5', 'G3a', 'G3b', 'G2'],
    );
    assert.deepEqual(
      indices.top_losers.map((m) => m.symbol),
      ['L9', 'L6', 'L4a', 'L4b', 'L2'],
    );
    assert.deepEqual([indices.advancers, indices.decliners, indices.unchanged], [6, 6, 1]);
  });

  it('answers zeros, no ratio and no movers for no constituents', () => {
    assert.deepEqual(computeIndices('SIM', [], AT), {
      computed_at: AT,
      exchange: 'SIM',
      constituents: 0,
      volume_weighted_change_pct: 0,
      equal_weighted_change_pct: 0,
      advancers: 0,
      decliners: 0,
      unchanged: 0,
      advance_decline_ratio: null,
      dispersion_pct: 0,
      average_abs_change_pct: 0,
      total_quote_volume: 0,
      top_gainers: [],
      top_losers: [],
    });
  });

  it('counts LTP-only ticks as unchanged, with no weight, and falls back to the plain mean', () => {
    const only = computeIndices('SIM', [ltpOnly('A/USDT', 10), ltpOnly('B/USDT', 20)], AT);
    assert.deepEqual(
      [only.constituents, only.unchanged, only.total_quote_volume, only.volume_weighted_change_pct],
      [2, 2, 0, 0],
    );
    assert.deepEqual([only.top_gainers, only.top_losers, only.advance_decline_ratio], [[], [], null]);

    // Mixed: the LTP-only tick joins the plain mean (as 0) but weighs nothing.
    const mixed = computeIndices('SIM', [quoted('A/USDT', 10, 3, 5), ltpOnly('B/USDT', 20)], AT);
    assert.equal(mixed.volume_weighted_change_pct, 3);
    assert.equal(mixed.equal_weighted_change_pct, 1.5);
    assert.deepEqual([mixed.advancers, mixed.decliners, mixed.unchanged], [1, 0, 1]);
  });

  it('has no dispersion with one constituent', () => {
    const indices = computeIndices('SIM', [quoted('A/USDT', 10, -3, 5)], AT);
    assert.deepEqual(
      [indices.dispersion_pct, indices.advance_decline_ratio, indices.volume_weighted_change_pct],
      [0, 0, -3],
    );
  });
});
