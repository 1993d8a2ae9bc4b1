import type { DataLevel, Tick } from '../domain/tick.js';

/** Where an adapter delivers its ticks: the gateway pushes them into its ring buffer. */
export type TickSink = (tick: Tick) => void;

export type AdapterStatus = 'connecting' | 'connected' | 'degraded' | 'closed';

export interface UpstreamAdapterStats {
  name: string;
  exchange: string;
  status: AdapterStatus;
  /** Symbols subscribed upstream right now. */
  subscriptions: number;
  ticks: number;
  errors: number;
  lastError: string | null;
}

/**
 * One upstream source of market data for one exchange. The gateway creates adapters on demand
 * (when a client first subscribes to the exchange), reference-counts them and closes them;
 * an adapter never decides its own lifetime. Every method may be called in any order after
 * close() without throwing: calls after close are no-ops (subscribe rejects).
 */
export interface UpstreamAdapter {
  /** Broker name reported to clients, e.g. 'sim' or 'ccxt:binance'. */
  readonly name: string;
  /** Exchange code, e.g. 'SIM'. */
  readonly exchange: string;
  /** Most order-book levels per side this adapter can deliver. */
  readonly maxDepth: number;

  /** Every symbol the exchange offers, e.g. for `GET /api/symbols`. */
  listSymbols(): Promise<readonly string[]>;
  /** True when the exchange offers `symbol` (cheap after the symbol list has loaded once). */
  hasSymbol(symbol: string): Promise<boolean>;
  /**
   * Starts (or upgrades to `level`) the upstream subscription of `symbol`; idempotent. Resolves
   * when the subscription is in place; ticks then flow to the sink. Rejects for an unknown symbol
   * or a closed adapter.
   */
  subscribe(symbol: string, level: DataLevel): Promise<void>;
  /** Stops the upstream subscription of `symbol`; idempotent; unknown symbols are ignored. */
  unsubscribe(symbol: string): Promise<void>;
  /** Symbols subscribed upstream right now. */
  subscribedSymbols(): readonly string[];
  status(): AdapterStatus;
  stats(): UpstreamAdapterStats;
  /** Stops every subscription, timer and connection. Idempotent. */
  close(): Promise<void>;
}

/** Creates the adapter of one exchange, delivering to `sink`. */
export type AdapterFactory = (sink: TickSink) => UpstreamAdapter;
