import type { Logger } from '@steadystate/lifecycle';
import type { Exchange } from 'ccxt';
import { closeCcxtExchange } from '../upstream/ccxt/ccxt-exchange.js';
import { tickFromCcxt } from '../upstream/ccxt/ccxt-mapping.js';
import type { Tick } from '../domain/tick.js';
import type { ExchangeClient, ExchangeKey } from './exchange-client.js';
import type { Candle, Timeframe } from '../domain/candle.js';

/**
 * A real exchange through ccxt (`fetchOHLCV`, `fetchTickers`). The instance is created by the
 * manager's factory (testnet and contract type set there) and closed completely by close().
 */
export class CcxtExchangeClient implements ExchangeClient {
  readonly key: ExchangeKey;
  readonly #exchange: Exchange;
  readonly #logger: Logger;

  constructor(key: ExchangeKey, exchange: Exchange, logger: Logger) {
    this.key = key;
    this.#exchange = exchange;
    this.#logger = logger;
  }

  async listSymbols(): Promise<readonly string[]> {
    await this.#exchange.loadMarkets();
    return this.#exchange.symbols;
  }

  async topSymbols(n: number, signal?: AbortSignal): Promise<string[]> {
    const tickers = await this.#exchange.fetchTickers();
    signal?.throwIfAborted();
    return Object.values(tickers)
      .flatMap((t) => (t.symbol ? [{ symbol: t.symbol, quoteVolume: t.quoteVolume ?? 0 }] : []))
      .sort((a, b) => b.quoteVolume - a.quoteVolume)
      .slice(0, n)
      .map((t) => t.symbol);
  }

  async fetchCandles(
    symbol: string,
    timeframe: Timeframe,
    limit: number,
    signal?: AbortSignal,
  ): Promise<Candle[]> {
    signal?.throwIfAborted();
    const rows = await this.#exchange.fetchOHLCV(symbol, timeframe, undefined, limit);
    signal?.throwIfAborted();
    return rows.map((row) => row.map((v) => Number(v ?? 0)) as Candle);
  }

  async fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<Tick[]> {
    const tickers = await this.#exchange.fetchTickers([...symbols]);
    signal?.throwIfAborted();
    const now = Date.now();
    return symbols.flatMap((symbol) => {
      const ticker = tickers[symbol];
      return ticker ? [tickFromCcxt(this.key.exchange, symbol, 2, ticker, undefined, 0, now)] : [];
    });
  }

  close(): Promise<void> {
    return closeCcxtExchange(this.#exchange, `scan client ${this.key.exchange}`, this.#logger);
  }
}
