import type { Tick } from '../domain/tick.js';

export interface Mover {
  symbol: string;
  ltp: number;
  change_pct: number;
}

/** What the market indices job computes and stores under `market_indices`. */
export interface MarketIndices {
  computed_at: number;
  exchange: string;
  constituents: number;
  /** Change since the previous close, each symbol weighted by its quote volume (ltp x volume). */
  volume_weighted_change_pct: number;
  /** Plain mean of the constituents' changes. */
  equal_weighted_change_pct: number;
  advancers: number;
  decliners: number;
  unchanged: number;
  /** advancers / decliners; null when nothing declined. */
  advance_decline_ratio: number | null;
  /** Standard deviation of the constituents' changes (how far apart they moved), in points. */
  dispersion_pct: number;
  /** Mean absolute change: how much the market moved, whatever the direction. */
  average_abs_change_pct: number;
  total_quote_volume: number;
  top_gainers: Mover[];
  top_losers: Mover[];
}

const MOVERS = 5;

/**
 * Market indices over the latest quote of each constituent. Pure: the same ticks give the same
 * indices. Ticks without quote fields (LTP-only) count for breadth with a change of 0.
 */
export function computeIndices(exchange: string, ticks: readonly Tick[], at: number): MarketIndices {
  const rows = ticks.map((t) => ({
    symbol: t.symbol,
    ltp: t.ltp,
    change: t.quote?.changePercent ?? 0,
    quoteVolume: t.ltp * (t.quote?.volume ?? 0),
  }));
  const n = rows.length;
  const totalVolume = rows.reduce((sum, r) => sum + r.quoteVolume, 0);
  const mean = n === 0 ? 0 : rows.reduce((sum, r) => sum + r.change, 0) / n;
  const advancers = rows.filter((r) => r.change > 0).length;
  const decliners = rows.filter((r) => r.change < 0).length;
  const bySymbol = (a: (typeof rows)[number], b: (typeof rows)[number]) => (a.symbol < b.symbol ? -1 : 1);
  const mover = (r: (typeof rows)[number]): Mover => ({ symbol: r.symbol, ltp: r.ltp, change_pct: r.change });
  return {
    computed_at: at,
    exchange,
    constituents: n,
    volume_weighted_change_pct:
      totalVolume > 0 ? rows.reduce((sum, r) => sum + r.change * r.quoteVolume, 0) / totalVolume : mean,
    equal_weighted_change_pct: mean,
    advancers,
    decliners,
    unchanged: n - advancers - decliners,
    advance_decline_ratio: decliners === 0 ? null : advancers / decliners,
    dispersion_pct: n < 2 ? 0 : Math.sqrt(rows.reduce((sum, r) => sum + (r.change - mean) ** 2, 0) / (n - 1)),
    average_abs_change_pct: n === 0 ? 0 : rows.reduce((sum, r) => sum + Math.abs(r.change), 0) / n,
    total_quote_volume: totalVolume,
    // Largest moves first; equal moves in symbol order both ways (reversing one list for the
    // other would put tied losers in reverse symbol order).
    top_gainers: rows
      .filter((r) => r.change > 0)
      .sort((a, b) => b.change - a.change || bySymbol(a, b))
      .slice(0, MOVERS)
      .map(mover),
    top_losers: rows
      .filter((r) => r.change < 0)
      .sort((a, b) => a.change - b.change || bySymbol(a, b))
      .slice(0, MOVERS)
      .map(mover),
  };
}
