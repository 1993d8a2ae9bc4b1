import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ExchangeManager } from '../exchanges/exchange-manager.js';
import { change, maCross, rsi, volatility } from './indicators.js';
import type { ScanRequest } from './scan-request.js';

/** One row of a scan's ranked table. Indicators not asked for, or not computable, are null. */
export interface ScanRow {
  rank: number;
  symbol: string;
  last_price: number;
  change_pct: number | null;
  rsi: number | null;
  ma_fast: number | null;
  ma_slow: number | null;
  ma_spread_pct: number | null;
  ma_trend: 'bullish' | 'bearish' | 'neutral' | null;
  ma_crossed: boolean | null;
  volatility_pct: number | null;
}

export interface ScanResult {
  exchange: string;
  timeframe: string;
  candles: number;
  rank_by: string;
  generated_at: number;
  symbols_scanned: number;
  failures: { symbol: string; error: string }[];
  rows: ScanRow[];
}

/** What a running scan reports to: its task's progress and its session log. */
export interface ScanContext {
  signal: AbortSignal;
  progress(done: number, total: number, message?: string): void;
  /** Appends a line to the session log; resolves once written (or dropped), never rejects. */
  log(line: string): Promise<void>;
  now(): number;
}

/**
 * A batch market scan: candles for every symbol from one leased exchange client, the requested
 * indicators per symbol, then the table ranked by `rank_by` (highest first; symbols without a
 * value last). The lease and the candle data are released in `finally`, whether the scan
 * succeeds, fails or is cancelled; cancellation is checked between symbols, after a turn of the
 * event loop.
 */
export async function runScan(
  request: ScanRequest,
  exchanges: ExchangeManager,
  context: ScanContext,
): Promise<ScanResult> {
  const { signal } = context;
  const key = {
    exchange: request.exchange,
    testnet: request.testnet,
    contractType: request.contract_type,
    access: 'public',
  } as const;
  const lease = await exchanges.acquire(key, signal);
  const closes = new Map<string, number[]>();
  try {
    const client = lease.resource;
    const symbols = request.symbols ?? (await client.topSymbols(request.top ?? 0, signal));
    await context.log(
      `scanning ${symbols.length} symbols on ${request.exchange}, ${request.candles} x ${request.timeframe} candles`,
    );
    const failures: ScanResult['failures'] = [];
    for (const [index, symbol] of symbols.entries()) {
      // A client that answers without I/O (the simulated exchange, a cache) would otherwise keep
      // the event loop for the whole scan: no quotes, no HTTP, and no cancel could ever land.
      await nextTurn();
      signal.throwIfAborted();
      try {
        const candles = await client.fetchCandles(symbol, request.timeframe, request.candles, signal);
        closes.set(
          symbol,
          candles.map((c) => c[4]),
        );
      } catch (error) {
        signal.throwIfAborted();
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ symbol, error: message });
        // Awaited: a scan failing fast on many symbols must not outrun the disk (the log's
        // queue is bounded, and drops what is beyond it).
        await context.log(`${symbol}: ${message}`);
      }
      context.progress(index + 1, symbols.length, symbol);
    }
    const rows = rank(
      [...closes].map(([symbol, series]) => measure(symbol, series, request)),
      request.rank_by,
    );
    await context.log(`ranked ${rows.length} symbols by ${request.rank_by}; ${failures.length} failed`);
    return {
      exchange: request.exchange,
      timeframe: request.timeframe,
      candles: request.candles,
      rank_by: request.rank_by,
      generated_at: context.now(),
      symbols_scanned: symbols.length,
      failures,
      rows,
    };
  } finally {
    closes.clear();
    lease.release();
  }
}

/** The indicators of one symbol, from its closes. */
export function measure(symbol: string, series: readonly number[], request: ScanRequest): ScanRow {
  const wants = new Set(request.indicators);
  const cross = wants.has('ma_cross') ? maCross(series, request.ma_fast, request.ma_slow) : null;
  return {
    rank: 0,
    symbol,
    last_price: series[series.length - 1] ?? 0,
    change_pct: wants.has('change') ? change(series) : null,
    rsi: wants.has('rsi') ? rsi(series, request.rsi_period) : null,
    ma_fast: cross?.fast ?? null,
    ma_slow: cross?.slow ?? null,
    ma_spread_pct: cross?.spreadPercent ?? null,
    ma_trend: cross?.trend ?? null,
    ma_crossed: cross?.crossed ?? null,
    volatility_pct: wants.has('volatility') ? volatility(series) : null,
  };
}

const RANK_FIELD = {
  change: 'change_pct',
  rsi: 'rsi',
  volatility: 'volatility_pct',
  ma_spread: 'ma_spread_pct',
} as const satisfies Record<ScanRequest['rank_by'], keyof ScanRow>;

/** Sorts by the rank field, highest first, nulls last, ties by symbol; numbers the ranks from 1. */
export function rank(rows: ScanRow[], rankBy: ScanRequest['rank_by']): ScanRow[] {
  const field = RANK_FIELD[rankBy];
  const value = (row: ScanRow) => row[field] ?? -Infinity;
  rows.sort((a, b) => value(b) - value(a) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  rows.forEach((row, i) => (row.rank = i + 1));
  return rows;
}
