import { PeriodicJob, type Clock, type Logger, type Timers } from '@steadystate/lifecycle';
import type { KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator, Subscription } from '@nats-io/transport-node';
import type { DataLevel, Tick } from '../domain/tick.js';
import type { ExchangeEntry } from '../upstream/exchange-catalog.js';
import type { UpstreamAdapter } from '../upstream/upstream-adapter.js';
import { errorMessage } from '../upstream/upstream-error.js';
import type { Bus } from './bus.js';
import { decodeDemand } from './demand-codec.js';
import { encodeSymbolList, symbolsSubject } from './symbols-reply.js';
import { encodeSubjectToken } from './subject-token.js';
import { encodeTick } from './tick-codec.js';

export interface UpstreamOwnerOptions {
  bus: Bus;
  entry: ExchangeEntry;
  /** Unsubscribe upstream this long after the last node's demand for a symbol went (BROKER_ADAPTER_CLEANUP_DELAY). */
  unsubscribeDelayMs: number;
  /** Close the adapter after this long with no demand anywhere (BROKER_ADAPTER_MAX_IDLE). */
  maxIdleMs: number;
  logger: Logger;
  now: Clock;
  timers?: Timers;
}

/** What `/stats` shows of an exchange this node runs for the cluster. */
export interface OwnedExchangeStats {
  exchange: string;
  broker: string;
  /** Symbols subscribed upstream, by this node's adapter: the cluster's only one for the exchange. */
  upstreamSubscriptions: number;
  /** Symbols some node wants. */
  demandedSymbols: number;
  /** Nodes whose demand is current. */
  demandingNodes: number;
  /** Symbols no node wants any more, waiting out the unsubscribe delay. */
  pendingUnsubscribes: number;
}

interface NodeDemand {
  symbols: Map<string, DataLevel>;
  /** When this node received it (its own clock: nodes' clocks need not agree). */
  seenAt: number;
}

/**
 * The lease holder's side of one exchange: it watches every node's demand, runs the one upstream
 * adapter of the cluster for the exchange, subscribes it to the union of the demand, publishes
 * each tick once on the bus and answers symbol-list requests. The seed's lifecycle rules hold
 * cluster-wide: a symbol is unsubscribed upstream `unsubscribeDelayMs` after the last node stopped
 * wanting it (cancelled if one wants it again meanwhile), and the adapter is closed after
 * `maxIdleMs` with no demand anywhere; with demand it is never closed.
 *
 * A node's demand lapses `demandTtlMs` after it was last seen (the node died or lost NATS). Built
 * when the lease is taken, closed when it is lost: nothing of it outlives the lease.
 */
export class UpstreamOwner {
  readonly #o: UpstreamOwnerOptions;
  readonly #exchangeToken: string;
  readonly #nodes = new Map<string, NodeDemand>();
  /** Symbols subscribed upstream, with the level and the subject their ticks go to. */
  readonly #subscribed = new Map<string, { level: DataLevel; subject: string }>();
  /** Subscribed symbols no node wants, since when. */
  readonly #undemandedSince = new Map<string, number>();
  readonly #sweep: PeriodicJob;
  readonly #stopReconnect: () => void;
  #adapter: UpstreamAdapter | undefined;
  #idleSince: number;
  #watch: QueuedIterator<KvWatchEntry> | undefined;
  #responder: Subscription | undefined;
  #queue: Promise<void> = Promise.resolve();
  #reconcileQueued = false;
  #closed = false;
  #demandedSymbols = 0;

  constructor(options: UpstreamOwnerOptions) {
    this.#o = options;
    this.#exchangeToken = encodeSubjectToken(options.entry.exchange);
    this.#idleSince = options.now();
    const { bus } = options;
    this.#sweep = new PeriodicJob({
      name: `cluster-upstream.${options.entry.exchange}`,
      intervalMs: Math.max(50, Math.min(1000, options.unsubscribeDelayMs / 4, bus.config.demandTtlMs / 3)),
      run: () => this.#reconcileSoon(),
      logger: options.logger,
      timers: options.timers,
      now: options.now,
    });
    this.#stopReconnect = bus.onReconnect(() => void this.#startWatch());
    this.#responder = bus.connection.subscribe(symbolsSubject(bus, options.entry.exchange), {
      callback: (error, message) => {
        if (!error) void this.#answerSymbols(message.respond.bind(message));
      },
    });
    void this.#startWatch();
  }

  stats(): OwnedExchangeStats {
    return {
      exchange: this.#o.entry.exchange,
      broker: this.#o.entry.broker,
      upstreamSubscriptions: this.#adapter?.subscribedSymbols().length ?? 0,
      demandedSymbols: this.#demandedSymbols,
      demandingNodes: this.#nodes.size,
      pendingUnsubscribes: this.#undemandedSince.size,
    };
  }

  /** Stops watching, answering and publishing, and closes the adapter. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopReconnect();
    this.#watch?.stop();
    this.#responder?.unsubscribe();
    await this.#sweep.close();
    await this.#queue;
    await this.#closeAdapter();
    this.#nodes.clear();
  }

  async #startWatch(): Promise<void> {
    this.#watch?.stop();
    try {
      const watch = await this.#o.bus.demand.watch({ key: `${this.#exchangeToken}.*` });
      if (this.#closed) return watch.stop();
      this.#watch = watch;
      // The new watch replays every current value: what it does not replay has lapsed.
      this.#nodes.clear();
      for await (const entry of watch) this.#onDemand(entry);
    } catch (error) {
      // Restarted on the next reconnection; meanwhile the last known demand stands.
      this.#o.logger.warn({ exchange: this.#o.entry.exchange, err: error }, 'cluster demand watch failed');
    }
  }

  #onDemand(entry: KvWatchEntry): void {
    const node = entry.key.slice(this.#exchangeToken.length + 1);
    if (entry.operation !== 'PUT') {
      this.#nodes.delete(node);
    } else {
      const symbols = decodeDemand(entry.string());
      if (symbols) this.#nodes.set(node, { symbols, seenAt: this.#o.now() });
      else {
        this.#o.bus.counters.undecodable++;
        this.#nodes.delete(node);
      }
    }
    void this.#reconcileSoon();
  }

  /** Runs one reconciliation after those already queued; calls meanwhile share it. */
  #reconcileSoon(): Promise<void> {
    if (this.#reconcileQueued || this.#closed) return this.#queue;
    this.#reconcileQueued = true;
    this.#queue = this.#queue.then(async () => {
      this.#reconcileQueued = false;
      if (this.#closed) return;
      try {
        await this.#reconcile();
      } catch (error) {
        // The queue must stay usable: the next sweep tries again.
        this.#o.logger.error({ exchange: this.#o.entry.exchange, err: error }, 'cluster reconcile failed');
      }
    });
    return this.#queue;
  }

  async #reconcile(): Promise<void> {
    const now = this.#o.now();
    const wanted = this.#union(now);
    this.#demandedSymbols = wanted.size;
    for (const [symbol, level] of wanted) {
      this.#undemandedSince.delete(symbol);
      const current = this.#subscribed.get(symbol);
      if (current && current.level >= level) continue;
      try {
        await this.#ensureAdapter().subscribe(symbol, level);
        const subject = current?.subject ?? this.#o.bus.tickSubject(this.#o.entry.exchange, symbol);
        this.#subscribed.set(symbol, { level, subject });
      } catch (error) {
        // Tried again at the next sweep.
        this.#o.logger.warn(
          { exchange: this.#o.entry.exchange, symbol, err: error },
          'upstream subscribe failed',
        );
      }
      if (this.#closed) return;
    }
    for (const symbol of [...this.#subscribed.keys()]) {
      if (wanted.has(symbol)) continue;
      const since = this.#undemandedSince.get(symbol);
      if (since === undefined) this.#undemandedSince.set(symbol, now);
      else if (now - since >= this.#o.unsubscribeDelayMs) await this.#unsubscribe(symbol);
    }
    if (wanted.size > 0 || this.#subscribed.size > 0) this.#idleSince = now;
    else if (this.#adapter && now - this.#idleSince >= this.#o.maxIdleMs) await this.#closeAdapter();
  }

  /** Every current node's demand, the highest level per symbol; lapsed nodes are dropped. */
  #union(now: number): Map<string, DataLevel> {
    const wanted = new Map<string, DataLevel>();
    for (const [node, demand] of this.#nodes) {
      if (now - demand.seenAt >= this.#o.bus.config.demandTtlMs) {
        this.#nodes.delete(node);
        continue;
      }
      for (const [symbol, level] of demand.symbols) {
        if ((wanted.get(symbol) ?? 0) < level) wanted.set(symbol, level);
      }
    }
    return wanted;
  }

  async #unsubscribe(symbol: string): Promise<void> {
    this.#subscribed.delete(symbol);
    this.#undemandedSince.delete(symbol);
    try {
      await this.#adapter?.unsubscribe(symbol);
    } catch (error) {
      this.#o.logger.warn(
        { exchange: this.#o.entry.exchange, symbol, err: error },
        'upstream unsubscribe failed',
      );
    }
  }

  #ensureAdapter(): UpstreamAdapter {
    if (!this.#adapter) {
      this.#adapter = this.#o.entry.create((tick) => this.#publish(tick));
      this.#o.logger.info({ exchange: this.#o.entry.exchange }, 'cluster upstream adapter created');
    }
    return this.#adapter;
  }

  async #closeAdapter(): Promise<void> {
    const adapter = this.#adapter;
    this.#adapter = undefined;
    this.#subscribed.clear();
    this.#undemandedSince.clear();
    if (!adapter) return;
    await adapter.close().catch((error: unknown) => {
      this.#o.logger.warn(
        { exchange: this.#o.entry.exchange, err: error },
        'closing the upstream adapter failed',
      );
    });
    this.#o.logger.info({ exchange: this.#o.entry.exchange }, 'cluster upstream adapter closed');
  }

  #publish(tick: Tick): void {
    const subject = this.#subscribed.get(tick.symbol)?.subject;
    if (subject) this.#o.bus.publish(subject, encodeTick(tick));
  }

  async #answerSymbols(respond: (data: Uint8Array) => boolean): Promise<void> {
    if (this.#closed) return;
    try {
      // Reading the list creates the adapter if need be; the idle rule closes it again.
      respond(encodeSymbolList(await this.#ensureAdapter().listSymbols()));
    } catch (error) {
      this.#o.logger.warn(
        { exchange: this.#o.entry.exchange, err: errorMessage(error) },
        'symbol list request failed',
      );
    }
  }
}
