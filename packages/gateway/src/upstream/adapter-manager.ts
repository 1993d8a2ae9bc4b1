import {
  BoundedCache,
  CloseOnce,
  ResourceRegistry,
  schedulingOf,
  type Clock,
  type Lease,
  type LeakTracker,
  type Logger,
  type SchedulingOptions,
  type StructureRegistry,
} from '@steadystate/lifecycle';
import type { ExchangeCatalog } from './exchange-catalog.js';
import type { Tick } from '../domain/tick.js';
import { LastTickRecord } from './last-tick-record.js';
import type { UpstreamAdapter } from './upstream-adapter.js';

/** A live adapter with the last tick of each of its symbols (a new subscriber's first message). */
export interface AdapterHandle {
  readonly exchange: string;
  readonly broker: string;
  readonly adapter: UpstreamAdapter;
  readonly lastTicks: BoundedCache<string, LastTickRecord>;
}

export interface AdapterManagerOptions extends SchedulingOptions {
  catalog: ExchangeCatalog;
  /** Where every adapter's ticks go (the gateway's ring buffer). */
  sink: (tick: Tick) => void;
  /** Close an adapter this long after its last lease is released (BROKER_ADAPTER_CLEANUP_DELAY). */
  cleanupDelayMs: number;
  /** The sweep closes adapters unleased for this long (BROKER_ADAPTER_MAX_IDLE), a backstop. */
  maxIdleMs: number;
  /** Capacity of each adapter's last-tick cache (MARKET_DATA_CACHE_SIZE). */
  marketDataCacheSize: number;
  /** Told once an adapter has closed, so its symbols can be forgotten. */
  onClosed: (handle: AdapterHandle) => void;
  structures: StructureRegistry;
  leakTracker: LeakTracker;
  logger: Logger;
  /** Idle ages of adapters. @default Date.now */
  now?: Clock;
}

/**
 * The upstream adapters, created on demand and reference counted on the toolkit's
 * ResourceRegistry: a client holds one lease per exchange while it has subscriptions there. An
 * adapter is closed `cleanupDelayMs` after its last lease goes (cancelled if a lease is taken
 * meanwhile) and, as a backstop, by the idle sweep; never while leased, by any path.
 */
export class AdapterManager {
  readonly #catalog: ExchangeCatalog;
  readonly #registry: ResourceRegistry<string, AdapterHandle>;
  readonly #live = new Map<string, AdapterHandle>();
  readonly #options: AdapterManagerOptions;
  readonly #unregister: (() => void)[];
  readonly #closing = new CloseOnce();

  constructor(options: AdapterManagerOptions) {
    this.#options = options;
    this.#catalog = options.catalog;
    this.#registry = new ResourceRegistry<string, AdapterHandle>({
      name: 'broker-adapters',
      closeDelayMs: options.cleanupDelayMs,
      maxIdleMs: options.maxIdleMs,
      sweepIntervalMs: Math.max(50, Math.min(options.maxIdleMs, 60_000)),
      close: (handle) => this.#closeHandle(handle),
      structures: options.structures,
      logger: options.logger,
      ...schedulingOf(options),
    });
    // One row per kind of structure, summed over adapters: adapters come and go under one name.
    this.#unregister = [
      options.structures.register(
        this.#sum(
          'market-data-caches',
          (h) => h.lastTicks.size,
          (h) => h.lastTicks.capacity,
        ),
      ),
      options.structures.register(
        this.#sum('upstream-subscriptions', (h) => h.adapter.subscribedSymbols().length),
      ),
    ];
  }

  /** Starts the idle sweep; only needed with `autostart: false`. */
  start(): void {
    this.#registry.start();
  }

  get catalog(): ExchangeCatalog {
    return this.#catalog;
  }

  /** Adapters alive now (being created ones excluded). */
  get count(): number {
    return this.#live.size;
  }

  /** A lease on the adapter of `exchange`, creating it if needed. The caller must release it. */
  acquire(exchange: string): Promise<Lease<AdapterHandle>> {
    return this.#registry.acquire(exchange, (key) => this.#create(key));
  }

  /** The live adapter of `exchange`, if any, without taking a lease (stats, snapshots). */
  live(exchange: string): AdapterHandle | undefined {
    return this.#live.get(exchange);
  }

  handles(): IterableIterator<AdapterHandle> {
    return this.#live.values();
  }

  /** Closes every adapter that has no lease now (memory cleanup). Returns how many. */
  closeUnleased(): Promise<number> {
    return this.#registry.closeIdle(0);
  }

  stats() {
    const registry = this.#registry.stats();
    return {
      count: this.#live.size,
      leases: registry.leases,
      created: registry.created,
      closed: registry.closed,
      closeErrors: registry.closeErrors,
      closesScheduled: registry.closesScheduled,
      adapters: this.#registry.entries().map((entry) => {
        const handle = this.#live.get(entry.id);
        return {
          exchange: entry.id,
          broker: handle?.broker ?? null,
          status: handle?.adapter.status() ?? entry.state,
          leases: entry.leases,
          subscriptions: handle?.adapter.subscribedSymbols().length ?? 0,
          lastUsedAt: entry.lastUsedAt,
        };
      }),
    };
  }

  /** Closes every adapter, leased or not. Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      for (const unregister of this.#unregister) unregister();
      await this.#registry.close();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #create(exchange: string): AdapterHandle {
    const entry = this.#catalog.get(exchange);
    if (!entry) throw new TypeError(`unknown exchange ${exchange}`);
    const { sink, marketDataCacheSize, logger, leakTracker } = this.#options;
    const lastTicks = new BoundedCache<string, LastTickRecord>({
      capacity: marketDataCacheSize,
      name: `market_data:${exchange}`,
      logger,
    });
    const adapter = entry.create((tick) => {
      const record = lastTicks.peek(tick.symbol);
      // Set again even when rewritten in place: that marks the symbol most recently used.
      lastTicks.set(tick.symbol, record?.write(tick) ? record : LastTickRecord.of(tick));
      sink(tick);
    });
    const handle: AdapterHandle = { exchange, broker: entry.broker, adapter, lastTicks };
    leakTracker.track(adapter, `upstream adapter ${entry.broker}`);
    this.#live.set(exchange, handle);
    logger.info({ exchange, broker: entry.broker }, 'upstream adapter created');
    return handle;
  }

  async #closeHandle(handle: AdapterHandle): Promise<void> {
    if (this.#live.get(handle.exchange) === handle) this.#live.delete(handle.exchange);
    try {
      await handle.adapter.close();
    } finally {
      this.#options.leakTracker.markClosed(handle.adapter);
      await handle.lastTicks.close();
      this.#options.onClosed(handle);
      this.#options.logger.info(
        { exchange: handle.exchange, broker: handle.broker },
        'upstream adapter closed',
      );
    }
  }

  #sum(name: string, size: (h: AdapterHandle) => number, capacity?: (h: AdapterHandle) => number) {
    const live = this.#live;
    return {
      name,
      get size() {
        let total = 0;
        for (const h of live.values()) total += size(h);
        return total;
      },
      get capacity() {
        if (!capacity) return undefined;
        let total = 0;
        for (const h of live.values()) total += capacity(h);
        return total;
      },
    };
  }
}
