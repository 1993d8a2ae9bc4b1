import type { Tick } from '../domain/tick.js';
import type { Candle, Timeframe } from '../domain/candle.js';

/** Identifies one cached exchange client (the seed keyed them the same way). */
export interface ExchangeKey {
  /** Exchange code, e.g. 'SIM' or 'BINANCE'. */
  exchange: string;
  testnet: boolean;
  contractType: 'spot' | 'swap' | 'future';
  /** Authenticated clients carry credentials; public ones only read market data. */
  access: 'public' | 'authenticated';
}

/** What a market scan needs from an exchange. */
export interface ExchangeClient {
  readonly key: ExchangeKey;
  listSymbols(): Promise<readonly string[]>;
  /** The `n` most traded symbols by quote volume over the last day. */
  topSymbols(n: number, signal?: AbortSignal): Promise<string[]>;
  /** The last `limit` candles, oldest first. Rejects for an unknown symbol. */
  fetchCandles(symbol: string, timeframe: Timeframe, limit: number, signal?: AbortSignal): Promise<Candle[]>;
  /** The current Quote-level tick of each symbol the exchange knows (unknown ones are left out). */
  fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<Tick[]>;
  /** Releases connections; the manager calls it exactly once. */
  close(): Promise<void>;
}

export function exchangeKeyId(key: ExchangeKey): string {
  return `${key.exchange}:${key.testnet ? 'testnet' : 'live'}:${key.contractType}:${key.access}`;
}
