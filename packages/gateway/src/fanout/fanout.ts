import { incrementCounter, type RingBuffer } from '@steadystate/lifecycle';
import type { TopicIndex, Subscription } from '../market/topic-index.js';
import { WriteBatch } from '../market/write-batch.js';
import { carriesMode, serializeMarketData } from '../protocol/market-data.js';
import type { Tick } from '../domain/tick.js';

export interface FanoutOptions {
  ring: RingBuffer<Tick>;
  topics: TopicIndex;
  /** Ticks delivered per turn of the event loop before yielding to I/O. @default 2048 */
  batch?: number;
}

/**
 * Moves ticks from the ring buffer to subscribers. Each tick is serialized once per mode (and per
 * depth for Depth) and the same Buffer is handed to every subscriber of that mode. Draining runs
 * in setImmediate turns of at most `batch` ticks, so a burst never starves socket I/O; while the
 * fan-out falls behind, the ring buffer drops the oldest ticks instead of growing. Each turn is
 * one {@link WriteBatch}: a client's frames of the turn leave in one system call.
 */
export class Fanout {
  readonly #ring: RingBuffer<Tick>;
  readonly #topics: TopicIndex;
  readonly #batch: number;
  readonly #drain = () => this.#drainBatch();
  readonly #deliver = (tick: Tick) => this.#deliverTick(tick);
  readonly #turn = new WriteBatch();
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;
  /** Ticks that found no subscriber (their topic is orphaned or gone). */
  unrouted = 0;
  /** Serialized messages produced (one per mode per tick with subscribers). */
  serialized = 0;
  /** Deliveries handed to subscribers. */
  deliveries = 0;

  constructor(options: FanoutOptions) {
    this.#ring = options.ring;
    this.#topics = options.topics;
    this.#batch = options.batch ?? 2048;
  }

  /** Pushes a tick into the ring buffer and makes sure a drain is scheduled: the adapters' sink. */
  publish(tick: Tick): void {
    if (this.#closed) return;
    this.#ring.push(tick);
    this.#scheduled ??= setImmediate(this.#drain);
  }

  /** Stops draining; ticks still queued are discarded with the ring buffer. */
  close(): void {
    this.#closed = true;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }

  #drainBatch(): void {
    this.#scheduled = undefined;
    if (this.#closed) return;
    try {
      this.#ring.drain(this.#deliver, this.#batch);
    } finally {
      this.#turn.end();
    }
    if (this.#ring.size > 0) this.#scheduled = setImmediate(this.#drain);
  }

  #deliverTick(tick: Tick): void {
    const topic = this.#topics.get(tick.exchange, tick.symbol);
    if (topic === undefined || topic.count === 0) {
      this.unrouted = incrementCounter(this.unrouted);
      return;
    }
    const broker = topic.adapter.name;
    // A mode's collection exists only while it has subscribers (see Topic).
    if (topic.ltp) this.#send(topic.ltp, serializeMarketData(tick, 1, 0, broker));
    // Ticks queued before the symbol's upstream level was raised go only to the modes they serve.
    if (topic.quote && carriesMode(tick, 2)) this.#send(topic.quote, serializeMarketData(tick, 2, 0, broker));
    if (topic.depth && carriesMode(tick, 3)) this.#sendDepth(topic.depth, tick, broker);
  }

  #sendDepth(byDepth: Map<number, Set<Subscription>>, tick: Tick, broker: string): void {
    for (const [depth, subscriptions] of byDepth) {
      this.#send(subscriptions, serializeMarketData(tick, 3, depth, broker));
    }
  }

  #send(subscriptions: Set<Subscription>, payload: Buffer): void {
    this.serialized = incrementCounter(this.serialized);
    this.deliveries = incrementCounter(this.deliveries, subscriptions.size);
    const turn = this.#turn;
    for (const subscription of subscriptions)
      subscription.subscriber.deliver(subscription.slot, payload, turn);
  }
}
