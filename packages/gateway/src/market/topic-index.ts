import type { MeasuredStructure } from '@steadystate/lifecycle';
import type { DataLevel } from '../domain/tick.js';
import type { UpstreamAdapter } from '../upstream/upstream-adapter.js';
import type { WriteBatch } from './write-batch.js';

/** Whatever receives market data: a client connection. */
export interface Subscriber {
  /**
   * Sends `payload` now, or keeps it as the latest for `slot` when the subscriber is behind. With
   * a `batch` (a fan-out turn), the subscriber may hold its writes until the batch ends.
   */
  deliver(slot: string, payload: Buffer, batch?: WriteBatch): void;
}

/** One client's subscription to one symbol at one mode. */
export interface Subscription {
  readonly subscriber: Subscriber;
  readonly topic: Topic;
  readonly mode: DataLevel;
  depth: number;
  /** Names this subscription's stream of ticks for conflation: one latest tick per slot. */
  readonly slot: string;
}

/**
 * A symbol on an exchange with its subscribers by mode (Depth ones also by depth), and the
 * adapter that holds its upstream subscription. A topic with no subscribers is orphaned: still
 * subscribed upstream until the orphan cleanup unsubscribes it on that same adapter.
 */
export class Topic {
  readonly key: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly adapter: UpstreamAdapter;
  /** The level subscribed upstream; 0 before the first upstream subscribe succeeds. */
  upstreamLevel: 0 | DataLevel = 0;
  /**
   * Subscribers by mode, each collection created with its first member and dropped with its
   * last: most topics are wanted in one mode, and thousands of empty Sets and Maps (some 180
   * bytes each) were a few MB of the heap at the reference load.
   */
  ltp: Set<Subscription> | undefined = undefined;
  quote: Set<Subscription> | undefined = undefined;
  depth: Map<number, Set<Subscription>> | undefined = undefined;
  count = 0;

  constructor(key: string, exchange: string, symbol: string, adapter: UpstreamAdapter) {
    this.key = key;
    this.exchange = exchange;
    this.symbol = symbol;
    this.adapter = adapter;
  }

  /** The highest mode any subscriber asks for. */
  get neededLevel(): 0 | DataLevel {
    if (this.depth) return 3;
    if (this.quote) return 2;
    return this.ltp ? 1 : 0;
  }
}

export function topicKey(exchange: string, symbol: string): string {
  // '|' cannot occur in an exchange code or a symbol (the protocol validates both).
  return `${exchange}|${symbol}`;
}

/**
 * Every topic the gateway holds, and per-topic reference counts. Adding and removing
 * subscriptions is synchronous; upstream calls are made by the subscription service around it.
 */
export class TopicIndex implements MeasuredStructure {
  readonly name = 'topics';
  readonly #topics = new Map<string, Topic>();
  #active = 0;
  #subscriptions = 0;
  readonly #onChange: ((exchange: string) => void) | undefined;

  /** `onChange` hears of every change of an exchange's subscribers (the cluster's demand follows it). */
  constructor(onChange?: (exchange: string) => void) {
    this.#onChange = onChange;
  }

  get size(): number {
    return this.#topics.size;
  }

  /** Topics with at least one subscriber. */
  get active(): number {
    return this.#active;
  }

  get orphaned(): number {
    return this.#topics.size - this.#active;
  }

  /** Subscriptions over all topics. */
  get subscriptions(): number {
    return this.#subscriptions;
  }

  get(exchange: string, symbol: string): Topic | undefined {
    return this.#topics.get(topicKey(exchange, symbol));
  }

  /** The topic of `symbol` on `adapter`, created if absent. */
  ensure(exchange: string, symbol: string, adapter: UpstreamAdapter): Topic {
    const key = topicKey(exchange, symbol);
    let topic = this.#topics.get(key);
    if (topic === undefined || topic.adapter !== adapter) {
      if (topic) this.#forget(topic);
      topic = new Topic(key, exchange, symbol, adapter);
      this.#topics.set(key, topic);
    }
    return topic;
  }

  add(subscription: Subscription): void {
    const { topic, mode } = subscription;
    if (mode === 1) (topic.ltp ??= new Set()).add(subscription);
    else if (mode === 2) (topic.quote ??= new Set()).add(subscription);
    else {
      const byDepth = (topic.depth ??= new Map<number, Set<Subscription>>());
      let set = byDepth.get(subscription.depth);
      if (set === undefined) byDepth.set(subscription.depth, (set = new Set()));
      set.add(subscription);
    }
    if (topic.count++ === 0) this.#active++;
    this.#subscriptions++;
    this.#onChange?.(topic.exchange);
  }

  remove(subscription: Subscription): void {
    const { topic, mode } = subscription;
    let removed: boolean;
    if (mode === 1) {
      removed = topic.ltp?.delete(subscription) ?? false;
      if (topic.ltp?.size === 0) topic.ltp = undefined;
    } else if (mode === 2) {
      removed = topic.quote?.delete(subscription) ?? false;
      if (topic.quote?.size === 0) topic.quote = undefined;
    } else {
      const set = topic.depth?.get(subscription.depth);
      removed = set?.delete(subscription) ?? false;
      if (set?.size === 0) topic.depth?.delete(subscription.depth);
      if (topic.depth?.size === 0) topic.depth = undefined;
    }
    if (!removed) return;
    this.#subscriptions--;
    if (--topic.count === 0) this.#active--;
    this.#onChange?.(topic.exchange);
  }

  /** The level each subscribed symbol of `exchange` needs now; orphaned topics are left out. */
  demandOf(exchange: string): Map<string, DataLevel> {
    const demand = new Map<string, DataLevel>();
    for (const topic of this.#topics.values()) {
      const level = topic.neededLevel;
      if (topic.exchange === exchange && level !== 0) demand.set(topic.symbol, level);
    }
    return demand;
  }

  /** Topics nobody subscribes to any more. */
  orphans(): Topic[] {
    const found: Topic[] = [];
    for (const topic of this.#topics.values()) if (topic.count === 0) found.push(topic);
    return found;
  }

  /** Removes an orphaned topic; false when it gained a subscriber or is no longer the current one. */
  deleteOrphan(topic: Topic): boolean {
    if (topic.count !== 0 || this.#topics.get(topic.key) !== topic) return false;
    this.#topics.delete(topic.key);
    return true;
  }

  /** Forgets every topic of a closed adapter. Returns how many. */
  dropAdapter(adapter: UpstreamAdapter): number {
    let dropped = 0;
    for (const topic of [...this.#topics.values()]) {
      if (topic.adapter !== adapter) continue;
      this.#forget(topic);
      dropped++;
    }
    return dropped;
  }

  #forget(topic: Topic): void {
    this.#topics.delete(topic.key);
    if (topic.count > 0) this.#active--;
    this.#subscriptions -= topic.count;
    if (topic.count > 0) this.#onChange?.(topic.exchange);
  }
}
