import {
  PeriodicJob,
  systemTimers,
  type Logger,
  type TimerHandle,
  type Timers,
} from '@steadystate/lifecycle';
import type { TopicIndex } from '../market/topic-index.js';
import type { Bus } from './bus.js';
import { encodeDemand } from './demand-codec.js';
import { encodeSubjectToken } from './subject-token.js';

export interface DemandPublisherOptions {
  bus: Bus;
  topics: TopicIndex;
  /** The exchanges this node serves. */
  exchanges: readonly string[];
  logger: Logger;
  /** Changes within this window are published together. @default 50 */
  coalesceMs?: number;
  timers?: Timers;
}

/** The demand bucket's key of one node on one exchange: `<exchange token>.<node token>`. */
export function demandKey(exchange: string, nodeId: string): string {
  return `${encodeSubjectToken(exchange)}.${encodeSubjectToken(nodeId)}`;
}

/**
 * Publishes this node's demand (which symbols its clients subscribe to, at which level) for each
 * exchange, as one value per exchange in the demand bucket. A change is published within
 * `coalesceMs`, together with any others in that window; every value is republished each third
 * of the demand TTL so it does not lapse while the node lives, and after a reconnection. What is
 * kept while NATS is down is only "this exchange changed": nothing queues.
 */
export class DemandPublisher {
  readonly #o: DemandPublisherOptions;
  readonly #timers: Timers;
  readonly #dirty = new Set<string>();
  /** Exchanges whose last published value named at least one symbol. */
  readonly #published = new Set<string>();
  readonly #refresh: PeriodicJob;
  readonly #stopReconnect: () => void;
  #flushTimer: TimerHandle | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: DemandPublisherOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
    this.#refresh = new PeriodicJob({
      name: 'cluster-demand-refresh',
      intervalMs: Math.max(100, Math.floor(options.bus.config.demandTtlMs / 3)),
      run: () => this.#flush(options.exchanges),
      logger: options.logger,
      timers: this.#timers,
      autostart: false,
    });
    this.#stopReconnect = options.bus.onReconnect(() => this.#schedule(options.exchanges));
  }

  start(): void {
    this.#refresh.start();
  }

  /** Notes that `exchange`'s subscribers changed. */
  changed(exchange: string): void {
    this.#schedule([exchange]);
  }

  /** Publishes what changed now (tests, shutdown). */
  flush(): Promise<void> {
    return this.#flush([...this.#dirty]);
  }

  /** Withdraws this node's demand (best effort: it lapses with the TTL anyway) and stops. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopReconnect();
    if (this.#flushTimer) this.#timers.clearTimeout(this.#flushTimer);
    await this.#refresh.close();
    await this.#flushing;
    if (!this.#o.bus.connected) return;
    for (const exchange of this.#published) {
      await this.#o.bus.demand.delete(demandKey(exchange, this.#o.bus.config.nodeId)).catch(() => {});
    }
  }

  #schedule(exchanges: readonly string[]): void {
    if (this.#closed) return;
    for (const exchange of exchanges) this.#dirty.add(exchange);
    this.#flushTimer ??= this.#timers.setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#flush([...this.#dirty]);
    }, this.#o.coalesceMs ?? 50);
  }

  #flush(exchanges: readonly string[]): Promise<void> {
    // One flush at a time, so a slow put cannot be overtaken by an older value.
    this.#flushing = this.#flushing.then(() => this.#put(exchanges));
    return this.#flushing;
  }

  async #put(exchanges: readonly string[]): Promise<void> {
    const { bus, topics, logger } = this.#o;
    for (const exchange of exchanges) {
      this.#dirty.delete(exchange);
      const demand = topics.demandOf(exchange);
      // Nothing wanted and nothing published before: no key to write.
      if (demand.size === 0 && !this.#published.has(exchange)) continue;
      try {
        await bus.demand.put(demandKey(exchange, bus.config.nodeId), encodeDemand(demand));
        if (demand.size > 0) this.#published.add(exchange);
        else this.#published.delete(exchange);
      } catch (error) {
        // Published again by the next refresh or after the reconnection.
        this.#dirty.add(exchange);
        logger.debug({ exchange, err: error }, 'cluster demand not published; will retry');
      }
    }
  }
}
