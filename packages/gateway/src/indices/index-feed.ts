import type { ExchangeManager } from '../exchanges/exchange-manager.js';
import type { ExchangeKey } from '../exchanges/exchange-client.js';
import type { Tick } from '../domain/tick.js';

/** Constituents when INDEX_SYMBOLS is unset: the first this many symbols the exchange lists. */
const DEFAULT_CONSTITUENTS = 20;

/**
 * Where the indices read their quotes: the exchange client of INDEX_EXCHANGE (for SIM, the same
 * market model that feeds the gateway's SIM adapter), leased only for the read. Holding quote
 * subscriptions instead would keep an adapter alive for good, which the adapter lifecycle is
 * meant to prevent when no client is connected.
 */
export class IndexFeed {
  readonly exchange: string;
  readonly #exchanges: ExchangeManager;
  readonly #key: ExchangeKey;
  readonly #configured: readonly string[] | undefined;
  #symbols: readonly string[] = [];

  constructor(options: {
    exchanges: ExchangeManager;
    exchange: string;
    symbols: readonly string[] | undefined;
  }) {
    this.exchange = options.exchange;
    this.#exchanges = options.exchanges;
    this.#configured = options.symbols;
    this.#key = { exchange: options.exchange, testnet: false, contractType: 'spot', access: 'public' };
  }

  get symbols(): readonly string[] {
    return this.#symbols;
  }

  /** The current quote of each constituent the exchange knows. */
  snapshot(signal?: AbortSignal): Promise<Tick[]> {
    return this.#exchanges.withClient(
      this.#key,
      async (client) => {
        if (this.#symbols.length === 0) {
          this.#symbols = this.#configured ?? (await client.listSymbols()).slice(0, DEFAULT_CONSTITUENTS);
        }
        return client.fetchQuotes(this.#symbols, signal);
      },
      signal,
    );
  }
}
