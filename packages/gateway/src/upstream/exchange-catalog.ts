import type { TickSink, UpstreamAdapter } from './upstream-adapter.js';

/** One exchange the gateway can serve: its code, the broker name clients see, and how to connect. */
export interface ExchangeEntry {
  /** As clients name it in subscribe messages, e.g. 'SIM'. */
  exchange: string;
  /** As replies name the adapter, e.g. 'sim' or 'ccxt:binance'. */
  broker: string;
  create(sink: TickSink): UpstreamAdapter;
}

/** The exchanges this gateway serves. The first is the default, named in auth replies. */
export class ExchangeCatalog {
  readonly #entries = new Map<string, ExchangeEntry>();
  readonly default: ExchangeEntry;

  constructor(entries: readonly ExchangeEntry[]) {
    const first = entries[0];
    if (!first) throw new TypeError('ExchangeCatalog: at least one exchange is required');
    for (const entry of entries) {
      if (this.#entries.has(entry.exchange))
        throw new TypeError(`ExchangeCatalog: ${entry.exchange} listed twice`);
      this.#entries.set(entry.exchange, entry);
    }
    this.default = first;
  }

  get(exchange: string): ExchangeEntry | undefined {
    return this.#entries.get(exchange);
  }

  list(): ExchangeEntry[] {
    return [...this.#entries.values()];
  }
}
