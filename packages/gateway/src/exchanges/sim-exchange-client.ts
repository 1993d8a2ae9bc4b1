import { GatewayError, GatewayErrorCode } from '../errors.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SimMarket } from '../upstream/sim/sim-market.js';
import type { Tick } from '../domain/tick.js';
import type { ExchangeClient, ExchangeKey } from './exchange-client.js';
import type { Candle, Timeframe } from '../domain/candle.js';

/** Symbols ranked between two turns of the event loop (about 5 ms of work). */
const YIELD_EVERY = 128;

/** The simulated exchange as a scan sees it: the same market model that feeds the gateway's SIM adapter. */
export class SimExchangeClient implements ExchangeClient {
  readonly key: ExchangeKey;
  readonly #market: SimMarket;
  #closed = false;

  constructor(key: ExchangeKey, market: SimMarket) {
    this.key = key;
    this.#market = market;
  }

  listSymbols(): Promise<readonly string[]> {
    return Promise.resolve(this.#market.symbols);
  }

  /** Ranked by the quote volume of the day's candle so far. */
  async topSymbols(n: number, signal?: AbortSignal): Promise<string[]> {
    this.#assertOpen();
    const ranked: { symbol: string; quoteVolume: number }[] = [];
    for (const symbol of this.#market.symbols) {
      // A large universe takes a while to rank: let the event loop (and a cancel) in now and then.
      if (ranked.length % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn();
      signal?.throwIfAborted();
      const [, , , , close, volume] = this.#market.candles(symbol, '1d', 1)[0] as Candle;
      ranked.push({ symbol, quoteVolume: close * volume });
    }
    ranked.sort((a, b) => b.quoteVolume - a.quoteVolume);
    return ranked.slice(0, n).map((r) => r.symbol);
  }

  fetchCandles(symbol: string, timeframe: Timeframe, limit: number, signal?: AbortSignal): Promise<Candle[]> {
    this.#assertOpen();
    signal?.throwIfAborted();
    if (!this.#market.has(symbol))
      return Promise.reject(
        new GatewayError(GatewayErrorCode.EXCHANGE_UNKNOWN_SYMBOL, `unknown symbol ${symbol} on SIM`),
      );
    return Promise.resolve(this.#market.candles(symbol, timeframe, limit));
  }

  fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<Tick[]> {
    this.#assertOpen();
    signal?.throwIfAborted();
    const now = Date.now();
    return Promise.resolve(symbols.filter((s) => this.#market.has(s)).map((s) => this.#market.quote(s, now)));
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new GatewayError(GatewayErrorCode.EXCHANGE_CLIENT_CLOSED, 'the exchange client is closed');
    }
  }
}
