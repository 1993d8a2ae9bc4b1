import { LRUCache } from 'lru-cache';
import type {
  BoundedCacheOptions,
  BoundedCacheStats,
  DisposeReason,
  SetOptions,
} from './bounded-cache-options.js';
import { closedError } from './errors.js';
import { CloseOnce } from './internal/close-once.js';
import { increment } from './internal/counter.js';
import { toError } from './internal/errors.js';
import { MAX_DURATION_MS, OptionReader } from './internal/options.js';
import { stderrLogger, type Logger } from './logger.js';
import { registerStructure, type MeasuredStructure } from './structure-registry.js';
import { isPromiseLike } from './internal/promise-like.js';

export type { BoundedCacheOptions, BoundedCacheStats, DisposeReason, SetOptions };

const MAX_CAPACITY = 2 ** 30;
const MIN_EVICTION_BATCH = 100;

/**
 * An LRU cache (on `lru-cache`) that can never grow past its capacity. When a new key arrives
 * at a full cache, the least recently used `evictionBatch` entries go at once. `trim()` frees
 * entries under memory pressure without lowering the capacity for good (the seed's caches
 * shrank permanently). Values that own resources are handed to the `dispose` hook.
 */
export class BoundedCache<
  K extends NonNullable<unknown>,
  V extends NonNullable<unknown>,
> implements MeasuredStructure {
  readonly name: string;
  readonly capacity: number;
  readonly evictionBatch: number;
  readonly #lru: LRUCache<K, V>;
  readonly #dispose: BoundedCacheOptions<K, V>['dispose'];
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();
  readonly #unregister: () => void;
  readonly #closing = new CloseOnce();
  /** Set while the cache itself removes entries, so the dispose hook reports the real reason. */
  #removalReason: DisposeReason | undefined;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;
  #disposeErrors = 0;

  constructor(options: BoundedCacheOptions<K, V>) {
    const read = new OptionReader('BoundedCache', options);
    this.capacity = read.integer('capacity', { min: 1, max: MAX_CAPACITY });
    const defaultBatch = Math.min(
      this.capacity,
      Math.max(MIN_EVICTION_BATCH, Math.ceil(this.capacity / 100)),
    );
    this.evictionBatch = read.integer('evictionBatch', { min: 1, max: this.capacity }, defaultBatch);
    const ttlMs = read.optionalInteger('ttlMs', { min: 1, max: MAX_DURATION_MS });
    this.#dispose = read.optionalFunction('dispose');
    this.name = read.string('name', 'cache');
    this.#logger = read.object('logger', ['warn', 'error'], stderrLogger);
    const now = read.optionalFunction<() => number>('now');
    const structures = read.optionalObject<NonNullable<BoundedCacheOptions<K, V>['structures']>>(
      'structures',
      ['register'],
    );

    this.#lru = new LRUCache<K, V>({
      max: this.capacity,
      ...(ttlMs === undefined ? {} : { ttl: ttlMs, ttlAutopurge: false }),
      // lru-cache caches its clock reading for ttlResolution ms; an injected clock must be read every time.
      ...(now === undefined ? {} : { perf: { now }, ttlResolution: 0 }),
      // The hook only has work with a dispose option (to call) or a TTL (expirations to count).
      // With neither, lru-cache never evicts on its own (set() makes room first), and leaving the
      // hook out spares a call per evicted entry.
      ...(this.#dispose === undefined && ttlMs === undefined
        ? {}
        : {
            dispose: (value: V, key: K, reason: LRUCache.DisposeReason) =>
              this.#onRemoved(value, key, reason),
          }),
    });
    this.#unregister = registerStructure(structures, this);
  }

  get size(): number {
    return this.#lru.size;
  }

  /** The value for `key`, marking it most recently used; counts a hit or a miss. */
  get(key: K): V | undefined {
    const value = this.#lru.get(key);
    if (value === undefined) this.#misses = increment(this.#misses);
    else this.#hits = increment(this.#hits);
    return value;
  }

  /** The value for `key` without touching recency or the hit counters. */
  peek(key: K): V | undefined {
    return this.#lru.peek(key);
  }

  has(key: K): boolean {
    return this.#lru.has(key);
  }

  /** Stores `value`; at capacity, a new key first evicts a batch of least-recently-used entries. */
  set(key: K, value: V, options?: SetOptions): this {
    if (this.#closing.closing) throw closedError(`BoundedCache "${this.name}"`);
    if (this.#lru.size >= this.capacity && !this.#lru.has(key)) {
      this.#removeOldest(this.evictionBatch, 'evict');
    }
    if (options?.ttlMs === undefined) this.#lru.set(key, value);
    else this.#lru.set(key, value, { ttl: checkTtl(options.ttlMs) });
    return this;
  }

  /** Milliseconds until `key` expires; undefined when absent, Infinity when it has no TTL. */
  remainingTtl(key: K): number | undefined {
    // lru-cache answers Infinity itself for an entry without TTL, and 0 at the exact expiry.
    return this.#lru.has(key) ? this.#lru.getRemainingTTL(key) : undefined;
  }

  delete(key: K): boolean {
    return this.#lru.delete(key);
  }

  keys(): IterableIterator<K> {
    return this.#lru.keys();
  }

  entries(): IterableIterator<[K, V]> {
    return this.#lru.entries();
  }

  /**
   * Frees `fraction` (0 to 1) of the current entries, least recently used first, and waits for
   * their disposal. Capacity is unchanged: the cache may fill up again. Returns how many went.
   */
  async trim(fraction: number): Promise<number> {
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
      throw new RangeError(`BoundedCache.trim: fraction must be from 0 to 1; received ${String(fraction)}`);
    }
    const removed = this.#removeOldest(Math.ceil(this.#lru.size * fraction), 'trim');
    await this.whenDisposed();
    return removed;
  }

  /** Removes expired entries now (they are otherwise removed lazily). Returns how many went. */
  purgeStale(): number {
    const before = this.#lru.size;
    this.#lru.purgeStale();
    return before - this.#lru.size;
  }

  /** Removes every entry and waits for their disposal. Returns how many went. */
  async clear(): Promise<number> {
    const removed = this.#lru.size;
    this.#removalReason = 'clear';
    try {
      this.#lru.clear();
    } finally {
      this.#removalReason = undefined;
    }
    await this.whenDisposed();
    return removed;
  }

  /** Resolves when every disposal started so far has settled. */
  async whenDisposed(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  stats(): BoundedCacheStats {
    return {
      name: this.name,
      size: this.#lru.size,
      capacity: this.capacity,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      expirations: this.#expirations,
      disposeErrors: this.#disposeErrors,
      pendingDisposals: this.#pending.size,
    };
  }

  /** Clears the cache (disposing every value), awaits pending disposals and unregisters. Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      this.#unregister();
      await this.clear();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #removeOldest(count: number, reason: DisposeReason): number {
    let removed = 0;
    this.#removalReason = reason;
    try {
      while (removed < count && this.#lru.pop() !== undefined) removed++;
    } finally {
      this.#removalReason = undefined;
    }
    this.#evictions = increment(this.#evictions, removed);
    return removed;
  }

  #onRemoved(value: V, key: K, lruReason: LRUCache.DisposeReason): void {
    const reason = this.#removalReason ?? toDisposeReason(lruReason);
    if (reason === 'expire') this.#expirations = increment(this.#expirations);
    // lru-cache evicts on its own only if our batch eviction was bypassed; count it all the same.
    if (reason === 'evict' && this.#removalReason === undefined) this.#evictions = increment(this.#evictions);
    if (!this.#dispose) return;
    try {
      const result = this.#dispose(value, key, reason);
      if (isPromiseLike(result)) this.#track(Promise.resolve(result), key);
    } catch (thrown) {
      this.#disposeFailed(thrown, key);
    }
  }

  #track(disposal: Promise<unknown>, key: K): void {
    const settled: Promise<void> = disposal.then(
      () => {
        this.#pending.delete(settled);
      },
      (thrown: unknown) => {
        this.#pending.delete(settled);
        this.#disposeFailed(thrown, key);
      },
    );
    this.#pending.add(settled);
  }

  #disposeFailed(thrown: unknown, key: K): void {
    this.#disposeErrors = increment(this.#disposeErrors);
    this.#logger.error(
      { cache: this.name, key: describeKey(key), err: toError(thrown) },
      'cache dispose hook failed',
    );
  }
}

function toDisposeReason(reason: LRUCache.DisposeReason): DisposeReason {
  return reason === 'fetch' ? 'delete' : reason;
}

function checkTtl(ttlMs: number): number {
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_DURATION_MS) {
    throw new RangeError(
      `BoundedCache.set: ttlMs must be an integer from 1 to ${MAX_DURATION_MS}; received ${ttlMs}`,
    );
  }
  return ttlMs;
}

function describeKey(key: unknown): string {
  return typeof key === 'string' || typeof key === 'number' ? String(key) : typeof key;
}
