import type { Clock, Logger, StructureRegistry } from '@steadystate/lifecycle';
import type { TickSink } from '../upstream-adapter.js';
import type { CreateExchange } from './ccxt-exchange.js';

export interface CcxtAdapterOptions {
  /** A ccxt exchange id, e.g. 'binance' (lower-case letters and digits). Required. */
  exchangeId: string;
  /** Receives every tick. A sink that throws is counted and logged; the feeds go on. Required. */
  sink: TickSink;
  /**
   * Pause between the end of one poll of a symbol and the next, in ms (100 to 3,600,000), on
   * exchanges without watch support; also the first retry delay after a failure. Each polled
   * symbol costs one request (two at level 3) per interval against the exchange's rate limit.
   * @default 2000
   */
  pollIntervalMs?: number;
  /** The longest retry delay after repeated failures, in ms (1,000 to 3,600,000). @default 60000 */
  maxBackoffMs?: number;
  /** Order-book levels per side requested and delivered at level 3, from 1 to 1000. @default 20 */
  maxDepth?: number;
  /**
   * The most symbols subscribed at once, from 1 to 10,000; one more is rejected with
   * `SUBSCRIPTION_LIMIT`. Each costs a loop and a share of the exchange's rate limit.
   * @default 200
   */
  maxSubscriptions?: number;
  /**
   * Creates the ccxt exchange instance; the adapter owns it and closes it. Tests hand in an
   * instance whose network calls go to local fakes.
   * @default createCcxtExchange: ccxt.pro[exchangeId] when it exists, else ccxt[exchangeId], rate limit on
   */
  createExchange?: CreateExchange;
  /** When given, the adapter registers its subscription table at construction and unregisters on close. */
  structures?: StructureRegistry;
  /** @default stderrLogger */
  logger?: Logger;
  /**
   * Stamps ticks, and stands in for a missing exchange timestamp, in ms since the epoch.
   * @default Date.now
   */
  now?: Clock;
}
