import type { OrderBook, Ticker } from 'ccxt';
import { pushLevel } from '../../domain/book-side.js';
import type { DataLevel, DepthBook, QuoteFields, Tick } from '../../domain/tick.js';

/**
 * Pure mapping from ccxt's unified structures to ticks. Exchanges leave many ticker fields
 * undefined; every missing or non-finite number becomes 0, so a tick never carries NaN or
 * undefined into the protocol.
 */

/** A finite number, or 0. */
export function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The tick of `symbol` at `level` from a ccxt ticker and, at level 3, its order book
 * (no `depth` when the book is missing). `now` stamps the tick and stands in for a missing
 * ticker timestamp.
 */
export function tickFromCcxt(
  exchange: string,
  symbol: string,
  level: DataLevel,
  ticker: Ticker,
  book: OrderBook | undefined,
  maxDepth: number,
  now: number,
): Tick {
  const ltp = numberOr0(ticker.last ?? ticker.close);
  const ltt =
    typeof ticker.timestamp === 'number' && Number.isFinite(ticker.timestamp) ? ticker.timestamp : now;
  if (level === 1) return { exchange, symbol, timestamp: now, ltp, ltt };
  const quote = quoteFromTicker(ticker);
  if (level === 2 || !book) return { exchange, symbol, timestamp: now, ltp, ltt, quote };
  return { exchange, symbol, timestamp: now, ltp, ltt, quote, depth: depthFromOrderBook(book, maxDepth) };
}

/** The level-2 fields of a ccxt ticker; the previous close falls back to the open. */
export function quoteFromTicker(ticker: Ticker): QuoteFields {
  return {
    volume: numberOr0(ticker.baseVolume),
    open: numberOr0(ticker.open),
    high: numberOr0(ticker.high),
    low: numberOr0(ticker.low),
    close: numberOr0(ticker.previousClose ?? ticker.open),
    // ccxt's unified ticker does not carry the last trade's size.
    lastTradeQuantity: 0,
    averagePrice: numberOr0(ticker.average ?? ticker.vwap),
    totalBuyQuantity: numberOr0(ticker.bidVolume),
    totalSellQuantity: numberOr0(ticker.askVolume),
    change: numberOr0(ticker.change),
    changePercent: numberOr0(ticker.percentage),
    oi: 0,
    upperCircuit: 0,
    lowerCircuit: 0,
  };
}

/** The best `maxDepth` levels of each side; `orders` is the entry's count where the exchange sends one. */
export function depthFromOrderBook(book: OrderBook, maxDepth: number): DepthBook {
  return { buy: levels(book.bids, maxDepth), sell: levels(book.asks, maxDepth) };
}

function levels(entries: readonly (readonly unknown[])[] | undefined, maxDepth: number): number[] {
  const out: number[] = [];
  if (!Array.isArray(entries)) return out;
  const count = Math.min(entries.length, maxDepth);
  for (let i = 0; i < count; i++) {
    const entry: unknown = entries[i];
    if (!Array.isArray(entry)) continue;
    const [price, quantity, orders] = entry as unknown[];
    pushLevel(out, numberOr0(price), numberOr0(quantity), numberOr0(orders));
  }
  return out;
}
