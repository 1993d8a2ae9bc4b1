import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { change, maCross, rsi, volatility } from '../../src/scans/indicators.js';
import { measure, rank, type ScanRow } from '../../src/scans/market-scanner.js';
import { scanRequestSchema, type ScanRequest } from '../../src/scans/scan-request.js';

/** A request as the API would accept it, defaults filled in by the real schema. */
function request(body: Record<string, unknown>): ScanRequest {
  return scanRequestSchema(500).parse({ symbols: ['X/USDT'], ...body });
}

/** A row with only the fields rank() reads set. */
function row(symbol: string, fields: Partial<ScanRow> = {}): ScanRow {
  return {
    rank: 0,
    symbol,
    last_price: 1,
    change_pct: null,
    rsi: null,
    ma_fast: null,
    ma_slow: null,
    ma_spread_pct: null,
    ma_trend: null,
    ma_crossed: null,
    volatility_pct: null,
    ...fields,
  };
}

const SERIES = Array.from({ length: 30 }, (_, i) => 100 + 10 * Math.sin(i / 3) + i / 2);

describe('measure', () => {
  it('computes every requested indicator from the closes, with the request periods', () => {
    const r = request({ candles: 30, rsi_period: 7, ma_fast: 5, ma_slow: 12 });
    const m = measure('X/USDT', SERIES, r);
    const cross = maCross(SERIES, 5, 12);
    assert.ok(cross);
    assert.deepEqual(m, {
      rank: 0,
      symbol: 'X/USDT',
      last_price: SERIES[29],
      change_pct: change(SERIES),
      rsi: rsi(SERIES, 7),
      ma_fast: cross.fast,
      ma_slow: cross.slow,
      ma_spread_pct: cross.spreadPercent,
      ma_trend: cross.trend,
      ma_crossed: cross.crossed,
      volatility_pct: volatility(SERIES),
    });
  });

  it('leaves the indicators not asked for null', () => {
    const m = measure('X/USDT', SERIES, request({ indicators: ['rsi'], rank_by: 'rsi' }));
    assert.equal(m.rsi, rsi(SERIES, 14));
    const others = [
      m.change_pct,
      m.ma_fast,
      m.ma_slow,
      m.ma_spread_pct,
      m.ma_trend,
      m.ma_crossed,
      m.volatility_pct,
    ];
    assert.deepEqual(others, [null, null, null, null, null, null, null]);
  });

  it('gives null, not NaN, for a series too short for the periods', () => {
    const m = measure('X/USDT', [5, 6], request({}));
    assert.deepEqual([m.rsi, m.ma_spread_pct, m.volatility_pct, m.last_price], [null, null, null, 6]);
  });
});

describe('rank', () => {
  it('sorts highest first, puts nulls last, breaks ties by symbol and numbers ranks from 1', () => {
    const rows = [
      row('D', { change_pct: null }),
      row('B', { change_pct: 2 }),
      row('E', { change_pct: -5 }),
      row('A', { change_pct: 2 }),
      row('C', { change_pct: 7 }),
      row('AA', { change_pct: null }),
    ];
    const ranked = rank(rows, 'change');
    assert.deepEqual(
      ranked.map((r) => [r.rank, r.symbol]),
      [
        [1, 'C'],
        [2, 'A'],
        [3, 'B'],
        [4, 'E'],
        [5, 'AA'],
        [6, 'D'],
      ],
    );
  });

  it('ranks by the field each rank_by names', () => {
    const rows = () => [
      row('A', { change_pct: 1, rsi: 30, volatility_pct: 5, ma_spread_pct: -1 }),
      row('B', { change_pct: 2, rsi: 20, volatility_pct: 4, ma_spread_pct: 3 }),
      row('C', { change_pct: 3, rsi: 10, volatility_pct: 6, ma_spread_pct: 0 }),
    ];
    const order = (by: ScanRequest['rank_by']) => rank(rows(), by).map((r) => r.symbol);
    assert.deepEqual(order('change'), ['C', 'B', 'A']);
    assert.deepEqual(order('rsi'), ['A', 'B', 'C']);
    assert.deepEqual(order('volatility'), ['C', 'A', 'B']);
    assert.deepEqual(order('ma_spread'), ['B', 'C', 'A']);
  });

  it('ranks a real value, however low, above a missing one', () => {
    const ranked = rank([row('A'), row('B', { change_pct: -1e300 })], 'change');
    assert.deepEqual(
      ranked.map((r) => r.symbol),
      ['B', 'A'],
    );
  });

  it('returns an empty table for no rows', () => {
    assert.deepEqual(rank([], 'rsi'), []);
  });
});
