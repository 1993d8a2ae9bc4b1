import type { Logger } from '@steadystate/lifecycle';
import type { GatewayConfig } from '../config/config.js';
import { CcxtAdapter } from './ccxt/ccxt-adapter.js';
import { SimAdapter } from './sim/sim-adapter.js';
import type { SimMarket } from './sim/sim-market.js';
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

/**
 * The catalog the configuration asks for: the simulated exchange always (one market shared by
 * every SIM adapter the gateway creates over its life and by the scans, so prices continue across
 * restarts of the adapter and scans see the prices clients see), plus one ccxt exchange per
 * CCXT_EXCHANGES id.
 */
export function catalogFromConfig(config: GatewayConfig, market: SimMarket, logger: Logger): ExchangeCatalog {
  const sim: ExchangeEntry = {
    exchange: 'SIM',
    broker: 'sim',
    create: (sink) => new SimAdapter({ sink, market, ticksPerSecond: config.sim.ticksPerSecond, logger }),
  };
  const ccxt = config.ccxt.exchanges.map((id): ExchangeEntry => ({
    exchange: id.toUpperCase(),
    broker: `ccxt:${id}`,
    create: (sink) =>
      new CcxtAdapter({ exchangeId: id, sink, pollIntervalMs: config.ccxt.pollIntervalMs, logger }),
  }));
  return new ExchangeCatalog([sim, ...ccxt]);
}
