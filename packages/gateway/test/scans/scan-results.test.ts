import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { change, maCross, rsi, volatility } from '../../src/scans/indicators.js';
import type { ScanRow } from '../../src/scans/market-scanner.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';
import { withGateway } from '../support/gateway-session.js';
import { startScan, waitForFinish } from '../support/scan-api.js';

const SEED = 4242;
const ENV = { SIM_SEED: String(SEED), SIM_SYMBOLS: '40' };
const PERIODS = { rsi_period: 10, ma_fast: 5, ma_slow: 20 };
const CANDLES = 60;

/** The row the scan must have produced from these closes, from the hand-checked indicator functions. */
function expectedRow(symbol: string, closes: number[]): Omit<ScanRow, 'rank'> {
  const cross = maCross(closes, PERIODS.ma_fast, PERIODS.ma_slow);
  return {
    symbol,
    last_price: closes[closes.length - 1] ?? NaN,
    change_pct: change(closes),
    rsi: rsi(closes, PERIODS.rsi_period),
    ma_fast: cross?.fast ?? null,
    ma_slow: cross?.slow ?? null,
    ma_spread_pct: cross?.spreadPercent ?? null,
    ma_trend: cross?.trend ?? null,
    ma_crossed: cross?.crossed ?? null,
    volatility_pct: volatility(closes),
  };
}

/**
 * Every instant of the scan's run (whole ms, the simulated exchange's clock) at which `symbol`
 * traded at `price`. The scan fetched the symbol's candles at one of them: the last candle is cut
 * at the fetch time, so its close is the price then.
 */
function instantsAtPrice(
  market: SimMarket,
  symbol: string,
  price: number,
  from: number,
  to: number,
): number[] {
  const instants: number[] = [];
  for (let t = from; t <= to; t++) if (market.price(symbol, t) === price) instants.push(t);
  return instants;
}

describe('a scan on the simulated exchange', () => {
  it('ranks the symbols by the requested indicator, each row exactly as computed from its candles', () =>
    withGateway(ENV, async (gateway) => {
      // The gateway's market is a pure function of (seed, symbol, time): this one answers the same.
      const market = new SimMarket({ seed: SEED, symbolCount: 40 });
      const symbols = market.symbols.slice(0, 12);
      const id = await startScan(gateway, {
        symbols: [...symbols, 'NOPE/USDT'],
        timeframe: '1d',
        candles: CANDLES,
        rank_by: 'rsi',
        ...PERIODS,
      });
      const task = await waitForFinish(gateway, id);
      assert.equal(task.status, 'completed');
      const result = task.result;
      assert.ok(result && task.started_at !== null && task.finished_at !== null);
      assert.deepEqual(
        [result.exchange, result.timeframe, result.candles, result.rank_by, result.symbols_scanned],
        ['SIM', '1d', CANDLES, 'rsi', 13],
      );
      assert.deepEqual(
        result.failures.map((f) => f.symbol),
        ['NOPE/USDT'],
      );
      assert.ok(result.generated_at >= task.started_at && result.generated_at <= task.finished_at);

      // Ranked by RSI, highest first, ties by symbol, ranks from 1.
      assert.deepEqual(
        result.rows.map((r) => r.rank),
        symbols.map((_, i) => i + 1),
      );
      const bySymbol = [...result.rows].sort(
        (a, b) => (b.rsi ?? -Infinity) - (a.rsi ?? -Infinity) || (a.symbol < b.symbol ? -1 : 1),
      );
      assert.deepEqual(
        result.rows.map((r) => r.symbol),
        bySymbol.map((r) => r.symbol),
      );
      assert.deepEqual(new Set(result.rows.map((r) => r.symbol)), new Set(symbols));

      for (const { rank, ...row } of result.rows) {
        assert.ok(rank >= 1);
        const instants = instantsAtPrice(
          market,
          row.symbol,
          row.last_price,
          task.started_at,
          task.finished_at,
        );
        assert.ok(instants.length > 0, `${row.symbol} never traded at ${row.last_price} during the scan`);
        // Candles fetched at any of those instants have this last close; the complete candles
        // before it differ only if the instants straddle midnight UTC, so one of them must match.
        const candidates = instants.map((t) =>
          expectedRow(
            row.symbol,
            market.candles(row.symbol, '1d', CANDLES, t).map((c) => c[4]),
          ),
        );
        const matches = candidates.some((expected) => {
          try {
            assert.deepEqual(row, expected);
            return true;
          } catch {
            return false;
          }
        });
        if (!matches) assert.deepEqual(row, candidates[0], `${row.symbol}: the row differs from its candles`);
        assert.ok(row.rsi !== null && row.ma_trend !== null && row.volatility_pct !== null);
      }
    }));

  it('scans the `top` symbols by the quote volume of the day when no symbols are given', () =>
    withGateway(ENV, async (gateway) => {
      const market = new SimMarket({ seed: SEED, symbolCount: 40 });
      const id = await startScan(gateway, { top: 5, timeframe: '1h', candles: 30, indicators: ['change'] });
      const task = await waitForFinish(gateway, id);
      assert.equal(task.status, 'completed');
      assert.ok(task.result && task.started_at !== null && task.finished_at !== null);
      assert.equal(task.result.symbols_scanned, 5);
      const scanned = task.result.rows.map((r) => r.symbol).sort();
      assert.ok(task.result.rows.every((r) => r.change_pct !== null && r.rsi === null));
      assert.deepEqual(task.progress && [task.progress.done, task.progress.total], [5, 5]);
      // The day's volume moves with every trade, so the top five are those of some instant of the run.
      const topAt = (t: number) =>
        market.symbols
          .map((symbol) => {
            const [, , , , close, volume] = market.candles(symbol, '1d', 1, t)[0] ?? [];
            return { symbol, quoteVolume: (close ?? 0) * (volume ?? 0) };
          })
          .sort((a, b) => b.quoteVolume - a.quoteVolume)
          .slice(0, 5)
          .map((r) => r.symbol)
          .sort();
      let matched = false;
      for (let t = task.started_at; t <= task.finished_at && !matched; t++) {
        matched = JSON.stringify(topAt(t)) === JSON.stringify(scanned);
      }
      assert.ok(matched, `${scanned.join(', ')} were never the top five by quote volume during the scan`);
    }));
});
