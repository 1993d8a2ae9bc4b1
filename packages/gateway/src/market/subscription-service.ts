import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { BoundedCache, KeyedMutex, Logger } from '@steadystate/lifecycle';
import type { SubscribeRequest, SymbolRef, UnsubscribeRequest } from '../protocol/client-messages.js';
import { ErrorCode, ProtocolError } from '../protocol/error-codes.js';
import { carriesMode, serializeMarketData } from '../protocol/market-data.js';
import { MODE_LABELS } from '../protocol/modes.js';
import type { AdapterHandle, AdapterManager } from '../upstream/adapter-manager.js';
import type { DataLevel } from '../domain/tick.js';
import { errorMessage } from '../upstream/upstream-error.js';
import type { UpstreamAdapter } from '../upstream/upstream-adapter.js';
import type { ClientSubscriptions } from './client-subscriptions.js';
import { subscriptionKey, type ExchangeLease } from './client-subscriptions.js';
import { topicKey, type Subscriber, type Subscription, type TopicIndex } from './topic-index.js';

export type SubscribeResult =
  | { symbol: string; exchange: string; status: 'success'; mode: string; depth: number; broker: string }
  | { symbol: string; exchange: string; status: 'error'; message: string; broker: string | null };

export type UnsubscribeResult = {
  symbol: string;
  exchange: string;
  status: string;
  broker: string | null;
  message?: string;
};

/** What `cleanup_orphaned` answers (SPEC section 4). */
export interface OrphanCleanupResult {
  orphaned_topics_found: number;
  broker_unsubscriptions: number;
  cleaned_count: number;
  /** Seconds. */
  cleanup_time: number;
}

export interface SubscriptionServiceOptions {
  adapters: AdapterManager;
  topics: TopicIndex;
  /** Whether `EXCHANGE|SYMBOL` exists, cached (SYMBOL_HASH_CACHE_SIZE) so lookups stay cheap. */
  symbolCache: BoundedCache<string, boolean>;
  /** Serializes upstream subscribe and unsubscribe per topic. */
  locks: KeyedMutex<string>;
  maxSymbolsPerClient: number;
  logger: Logger;
}

/**
 * Subscribes and unsubscribes clients: reference counts per topic, one adapter lease per client
 * and exchange, upstream subscriptions on the adapter that holds the topic. A topic whose last
 * subscriber leaves stays subscribed upstream until the orphan cleanup, so a client that comes
 * straight back finds it warm and the exchange is not hammered with subscribe/unsubscribe pairs.
 */
export class SubscriptionService {
  readonly #o: SubscriptionServiceOptions;

  constructor(options: SubscriptionServiceOptions) {
    this.#o = options;
  }

  async subscribe(
    subscriber: Subscriber,
    state: ClientSubscriptions,
    request: SubscribeRequest,
  ): Promise<SubscribeResult[]> {
    this.#checkRoom(state, request);
    const results: SubscribeResult[] = [];
    for (const ref of request.symbols) {
      results.push(await this.#subscribeOne(subscriber, state, ref, request.mode, request.depth));
    }
    this.#releaseUnused(state);
    return results;
  }

  /** Removes the named subscriptions; an entry without a mode removes every mode of its symbol. */
  unsubscribe(
    state: ClientSubscriptions,
    request: UnsubscribeRequest,
  ): { successful: UnsubscribeResult[]; failed: UnsubscribeResult[] } {
    const successful: UnsubscribeResult[] = [];
    const failed: UnsubscribeResult[] = [];
    for (const ref of request.symbols) {
      const key = topicKey(ref.exchange, ref.symbol);
      const modes: DataLevel[] = ref.mode === undefined ? [1, 2, 3] : [ref.mode];
      let removed = 0;
      let broker: string | null = null;
      for (const mode of modes) {
        const subscription = state.byKey.get(subscriptionKey(key, mode));
        if (!subscription) continue;
        broker = subscription.topic.adapter.name;
        this.#remove(state, subscription);
        removed++;
      }
      if (removed > 0)
        successful.push({ symbol: ref.symbol, exchange: ref.exchange, status: 'success', broker });
      else
        failed.push({
          symbol: ref.symbol,
          exchange: ref.exchange,
          status: 'error',
          broker: null,
          message: 'not subscribed',
        });
    }
    this.#releaseUnused(state);
    return { successful, failed };
  }

  /** Removes every subscription of the client and releases its leases (unsubscribe_all, disconnect). */
  unsubscribeAll(state: ClientSubscriptions): UnsubscribeResult[] {
    const removed: UnsubscribeResult[] = [];
    for (const subscription of [...state.byKey.values()]) {
      const { topic } = subscription;
      removed.push({
        symbol: topic.symbol,
        exchange: topic.exchange,
        status: 'success',
        broker: topic.adapter.name,
      });
      this.#remove(state, subscription);
    }
    this.#releaseUnused(state);
    return removed;
  }

  /**
   * Releases everything of a client that has gone, for good: a subscribe of that client still
   * waiting upstream attaches nothing when it resumes (it would never be released).
   */
  release(state: ClientSubscriptions): void {
    state.closed = true;
    this.unsubscribeAll(state);
  }

  /** Unsubscribes every orphaned topic upstream, on the adapter that holds it. */
  async cleanupOrphans(): Promise<OrphanCleanupResult> {
    const started = performance.now();
    const orphans = this.#o.topics.orphans();
    let unsubscribed = 0;
    let cleaned = 0;
    for (const topic of orphans) {
      await this.#o.locks.withLock(topic.key, async () => {
        // Re-checked under the lock: a subscriber may have arrived since the scan.
        if (!this.#o.topics.deleteOrphan(topic)) return;
        cleaned++;
        if (topic.upstreamLevel === 0) return;
        try {
          await topic.adapter.unsubscribe(topic.symbol);
          unsubscribed++;
          this.#forgetLastTick(topic.exchange, topic.adapter, topic.symbol);
        } catch (error) {
          this.#o.logger.warn(
            { topic: topic.key, err: error },
            'upstream unsubscribe of an orphaned symbol failed',
          );
        }
      });
    }
    return {
      orphaned_topics_found: orphans.length,
      broker_unsubscriptions: unsubscribed,
      cleaned_count: cleaned,
      cleanup_time: (performance.now() - started) / 1000,
    };
  }

  /**
   * Drops the cached last tick of a symbol no longer subscribed upstream: it only grows stale, a
   * client subscribing again later must not be shown it as current, and with its book it is the
   * largest thing the gateway keeps per symbol.
   */
  #forgetLastTick(exchange: string, adapter: UpstreamAdapter, symbol: string): void {
    const handle = this.#o.adapters.live(exchange);
    if (handle?.adapter === adapter) handle.lastTicks.delete(symbol);
  }

  #checkRoom(state: ClientSubscriptions, request: SubscribeRequest): void {
    let added = 0;
    for (const ref of request.symbols) {
      if (!state.byKey.has(subscriptionKey(topicKey(ref.exchange, ref.symbol), request.mode))) added++;
    }
    const limit = this.#o.maxSymbolsPerClient;
    if (state.size + added > limit) {
      throw new ProtocolError(
        ErrorCode.MAX_SYMBOLS_REACHED,
        `at most ${limit} subscriptions per client; this request would make ${state.size + added}`,
      );
    }
  }

  async #subscribeOne(
    subscriber: Subscriber,
    state: ClientSubscriptions,
    ref: SymbolRef,
    mode: DataLevel,
    depth: number,
  ): Promise<SubscribeResult> {
    const { symbol, exchange } = ref;
    const entry = this.#o.adapters.catalog.get(exchange);
    if (!entry) return failure(ref, `Unknown exchange ${exchange}`, null);
    let held: ExchangeLease;
    let known: boolean;
    try {
      held = await this.#leaseFor(state, exchange);
      known = await this.#isKnown(held.lease.resource, symbol);
    } catch (error) {
      return failure(ref, `Broker unavailable: ${errorMessage(error)}`, entry.broker);
    }
    const handle = held.lease.resource;
    if (!known) return failure(ref, `Unknown symbol ${symbol} on ${exchange}`, handle.broker);
    const key = subscriptionKey(topicKey(exchange, symbol), mode);
    const existing = state.byKey.get(key);
    if (existing) {
      if (existing.depth !== depth) {
        // A new depth is a new stream for the fan-out: move the subscription.
        this.#remove(state, existing);
      } else {
        return success(ref, mode, depth, handle.broker);
      }
    }
    try {
      const subscription = await this.#o.locks.withLock(topicKey(exchange, symbol), () =>
        this.#attach(subscriber, state, held, handle, ref, mode, depth, key),
      );
      const last = handle.lastTicks.get(symbol)?.toTick();
      if (last && carriesMode(last, mode))
        subscriber.deliver(subscription.slot, serializeMarketData(last, mode, depth, handle.broker));
    } catch (error) {
      return failure(ref, `Subscription failed: ${errorMessage(error)}`, handle.broker);
    }
    return success(ref, mode, depth, handle.broker);
  }

  async #attach(
    subscriber: Subscriber,
    state: ClientSubscriptions,
    held: ExchangeLease,
    handle: AdapterHandle,
    ref: SymbolRef,
    mode: DataLevel,
    depth: number,
    key: string,
  ): Promise<Subscription> {
    // Checked here, with nothing awaited before the attach: the client may have left while this
    // subscribe waited for the adapter, the symbol list or the lock. A lease taken for it meanwhile
    // has no subscription and goes with the subscribe's final release of unused leases.
    if (state.closed) throw new GatewayError(GatewayErrorCode.CLIENT_GONE, 'the client has disconnected');
    const topic = this.#o.topics.ensure(ref.exchange, ref.symbol, handle.adapter);
    const subscription: Subscription = {
      subscriber,
      topic,
      mode,
      depth,
      slot: mode === 3 ? `${key}|${depth}` : key,
    };
    this.#o.topics.add(subscription);
    state.byKey.set(key, subscription);
    held.subscriptions++;
    if (mode > topic.upstreamLevel) {
      try {
        await handle.adapter.subscribe(ref.symbol, mode);
        topic.upstreamLevel = Math.max(topic.upstreamLevel, mode) as DataLevel;
      } catch (error) {
        this.#remove(state, subscription);
        throw error;
      }
    }
    return subscription;
  }

  #remove(state: ClientSubscriptions, subscription: Subscription): void {
    const key = subscriptionKey(subscription.topic.key, subscription.mode);
    if (state.byKey.get(key) !== subscription) return;
    state.byKey.delete(key);
    this.#o.topics.remove(subscription);
    const held = state.leases.get(subscription.topic.exchange);
    if (held) held.subscriptions--;
  }

  async #leaseFor(state: ClientSubscriptions, exchange: string): Promise<ExchangeLease> {
    let held = state.leases.get(exchange);
    if (!held) {
      const lease = await this.#o.adapters.acquire(exchange);
      // Another message of this client cannot interleave (they run one at a time), but be safe.
      const raced = state.leases.get(exchange);
      if (raced) {
        lease.release();
        return raced;
      }
      held = { lease, subscriptions: 0 };
      state.leases.set(exchange, held);
    }
    return held;
  }

  /** Releases the adapter leases the client no longer needs. */
  #releaseUnused(state: ClientSubscriptions): void {
    for (const [exchange, held] of state.leases) {
      if (held.subscriptions > 0) continue;
      state.leases.delete(exchange);
      held.lease.release();
    }
  }

  async #isKnown(handle: AdapterHandle, symbol: string): Promise<boolean> {
    const key = topicKey(handle.exchange, symbol);
    const cached = this.#o.symbolCache.get(key);
    if (cached !== undefined) return cached;
    const known = await handle.adapter.hasSymbol(symbol);
    this.#o.symbolCache.set(key, known);
    return known;
  }
}

function failure(ref: SymbolRef, message: string, broker: string | null): SubscribeResult {
  return { symbol: ref.symbol, exchange: ref.exchange, status: 'error', message, broker };
}

function success(ref: SymbolRef, mode: DataLevel, depth: number, broker: string): SubscribeResult {
  return {
    symbol: ref.symbol,
    exchange: ref.exchange,
    status: 'success',
    mode: MODE_LABELS[mode],
    depth,
    broker,
  };
}
