import { closedError } from './errors.js';
import { increment } from './internal/counter.js';
import { OptionReader } from './internal/options.js';
import { registerStructure, type MeasuredStructure, type StructureRegistry } from './structure-registry.js';

export interface RingBufferOptions {
  /** Number of slots; 1 to 2^24. Required. The slots are allocated up front. */
  capacity: number;
  /** Names the buffer in stats and the structure registry. @default 'ring-buffer' */
  name?: string;
  /** When given, the buffer registers itself at construction and unregisters on close. */
  structures?: StructureRegistry;
}

export interface RingBufferStats {
  name: string;
  size: number;
  /** Items waiting to be consumed (the same as size; named as the gateway's stats name it). */
  count: number;
  capacity: number;
  /** count / capacity, from 0 to 1. */
  utilization: number;
  /** Items ever pushed. Saturates at Number.MAX_SAFE_INTEGER, never wraps or resets. */
  published: number;
  /** Items ever taken out by shift() or drain(). */
  consumed: number;
  /** Items overwritten because the buffer was full, or discarded by clear(). */
  dropped: number;
}

const MAX_CAPACITY = 2 ** 24;

/**
 * A fixed-capacity FIFO between producers and a consumer that must never block the producers:
 * when full, the oldest item is dropped to make room. The counters only ever grow (saturating
 * at 2^53 - 1), so rates computed from them never go negative; nothing needs to reset them.
 */
export class RingBuffer<T> implements MeasuredStructure {
  readonly name: string;
  readonly capacity: number;
  readonly #slots: (T | undefined)[];
  readonly #unregister: () => void;
  #head = 0;
  #size = 0;
  #published = 0;
  #consumed = 0;
  #dropped = 0;
  #closed = false;

  constructor(options: RingBufferOptions) {
    const read = new OptionReader('RingBuffer', options);
    this.capacity = read.integer('capacity', { min: 1, max: MAX_CAPACITY });
    this.name = read.string('name', 'ring-buffer');
    const structures = read.optionalObject<StructureRegistry>('structures', ['register']);
    this.#slots = new Array<T | undefined>(this.capacity).fill(undefined);
    this.#unregister = registerStructure(structures, this);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends `item`; when full, drops the oldest item. Returns true when something was dropped. */
  push(item: T): boolean {
    if (this.#closed) throw closedError(`RingBuffer "${this.name}"`);
    this.#published = increment(this.#published);
    const tail = (this.#head + this.#size) % this.capacity;
    this.#slots[tail] = item;
    if (this.#size < this.capacity) {
      this.#size++;
      return false;
    }
    this.#head = (this.#head + 1) % this.capacity;
    this.#dropped = increment(this.#dropped);
    return true;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined; // the slot must not keep a consumed item alive
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    this.#consumed = increment(this.#consumed);
    return item;
  }

  /**
   * Hands up to `max` items, oldest first, to `consume` and returns how many it took. The
   * consumer's loop needs no intermediate array. If `consume` throws, the item is already removed.
   */
  drain(consume: (item: T) => void, max = this.#size): number {
    let taken = 0;
    while (taken < max && this.#size > 0) {
      consume(this.shift() as T);
      taken++;
    }
    return taken;
  }

  /** The waiting items, oldest first, without consuming them (a copy: for charts and stats). */
  toArray(): T[] {
    const items: T[] = [];
    for (let i = 0; i < this.#size; i++) items.push(this.#slots[(this.#head + i) % this.capacity] as T);
    return items;
  }

  /** Discards every waiting item (counted as dropped) and returns how many. */
  clear(): number {
    const discarded = this.#size;
    this.#slots.fill(undefined);
    this.#head = 0;
    this.#size = 0;
    this.#dropped = increment(this.#dropped, discarded);
    return discarded;
  }

  stats(): RingBufferStats {
    return {
      name: this.name,
      size: this.#size,
      count: this.#size,
      capacity: this.capacity,
      utilization: this.#size / this.capacity,
      published: this.#published,
      consumed: this.#consumed,
      dropped: this.#dropped,
    };
  }

  /** Discards waiting items, refuses further pushes and unregisters. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.clear();
      this.#unregister();
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
