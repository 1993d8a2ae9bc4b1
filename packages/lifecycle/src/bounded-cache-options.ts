import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { StructureRegistry } from './structure-registry.js';

/** Why a value left the cache, as the dispose hook is told. */
export type DisposeReason = 'evict' | 'expire' | 'delete' | 'set' | 'trim' | 'clear';

export interface BoundedCacheOptions<K, V> {
  /** The most entries the cache holds; 1 to 2^30. Required: a cache without a bound is a leak. */
  capacity: number;
  /**
   * How many least-recently-used entries to evict at once when a new key arrives at a full
   * cache. Evicting in batches leaves headroom, so a full cache does not pay one eviction per set.
   * @default max(100, 1% of capacity), never more than capacity
   */
  evictionBatch?: number;
  /**
   * Entries older than this many milliseconds are treated as absent. Expired entries still count
   * toward capacity until they are read, evicted or removed by {@link BoundedCache.purgeStale}.
   * @default undefined (no expiry)
   */
  ttlMs?: number;
  /**
   * Called once for every value that leaves the cache, whatever the reason: the place to close
   * a value that owns a resource. A returned promise is tracked; `clear()`, `trim()` and
   * `close()` await it. Errors (thrown or rejected) are logged and counted, never rethrown.
   */
  dispose?: (value: V, key: K, reason: DisposeReason) => unknown;
  /** Names the cache in stats, metrics and the structure registry. @default 'cache' */
  name?: string;
  /** When given, the cache registers itself at construction and unregisters on close. */
  structures?: StructureRegistry;
  /** @default stderrLogger */
  logger?: Logger;
  /**
   * Time source for TTLs, in milliseconds; must stay above 0 (lru-cache reads a start time of 0
   * as "no TTL").
   * @default performance.now
   */
  now?: Clock;
}

export interface BoundedCacheStats {
  name: string;
  size: number;
  capacity: number;
  hits: number;
  misses: number;
  /** Entries removed to make room (capacity evictions and trims), not counting deletes. */
  evictions: number;
  /** Entries found expired on read or purged as stale. */
  expirations: number;
  disposeErrors: number;
  pendingDisposals: number;
}

/** Per-entry options of {@link BoundedCache.set}. */
export interface SetOptions {
  /** This entry expires after this many milliseconds, whatever the cache's `ttlMs`. */
  ttlMs?: number;
}
