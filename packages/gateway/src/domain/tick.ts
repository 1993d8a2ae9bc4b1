import type { BookSide } from './book-side.js';

/** One price level of an order book side, as a `market_data` message carries it. */
export interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

/**
 * How much data a subscription needs, as the protocol's modes number it:
 * 1 LTP (last price), 2 Quote (adds OHLC, volume, quantities, change), 3 Depth (adds the book).
 */
export type DataLevel = 1 | 2 | 3;

/**
 * One market update from an upstream adapter. Carries every field the adapter knows for the
 * level it was asked for; the fan-out serializes the subset each subscriber's mode needs.
 */
export interface Tick {
  /** Exchange code as clients name it, e.g. 'SIM', 'BINANCE'. */
  exchange: string;
  /** Symbol as clients name it, e.g. 'BTC/USDT'. */
  symbol: string;
  /** When the adapter produced the tick (ms since the epoch). */
  timestamp: number;
  /** Last traded price. */
  ltp: number;
  /** Last trade time (ms since the epoch). */
  ltt: number;
  /** Present from level 2 up. */
  quote?: QuoteFields;
  /** Present at level 3: up to the adapter's maximum depth of levels per side, best first. */
  depth?: DepthBook;
}

/** Both sides of an order book, packed (see {@link BookSide}). */
export interface DepthBook {
  buy: BookSide;
  sell: BookSide;
}

export interface QuoteFields {
  volume: number;
  open: number;
  high: number;
  low: number;
  /** Previous close, the reference of change and change_percent. */
  close: number;
  lastTradeQuantity: number;
  averagePrice: number;
  totalBuyQuantity: number;
  totalSellQuantity: number;
  change: number;
  changePercent: number;
  /** Open interest; 0 for spot markets. */
  oi: number;
  upperCircuit: number;
  lowerCircuit: number;
}

/** The quote's fields in one fixed order, for the compact forms that keep a quote as numbers. */
export const QUOTE_FIELD_NAMES = [
  'volume',
  'open',
  'high',
  'low',
  'close',
  'lastTradeQuantity',
  'averagePrice',
  'totalBuyQuantity',
  'totalSellQuantity',
  'change',
  'changePercent',
  'oi',
  'upperCircuit',
  'lowerCircuit',
] as const satisfies readonly (keyof QuoteFields)[];
