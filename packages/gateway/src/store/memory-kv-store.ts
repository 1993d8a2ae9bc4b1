import { GatewayErrorCode } from '../errors.js';
import { BoundedCache, type Clock, type Logger, type StructureRegistry } from '@steadystate/lifecycle';
import { KvError, type KeyValueStore, type KvStatus } from './kv-store.js';

export interface MemoryKvStoreOptions {
  /** The most keys held; at the bound, the least recently used go first. */
  maxEntries: number;
  structures: StructureRegistry;
  logger: Logger;
  /** Time source of the TTLs, in milliseconds (tests inject one). @default performance.now */
  now?: Clock;
}

/**
 * The embedded store: a BoundedCache with per-key TTLs, so the service runs with no Redis at
 * all. Bounded by entry count; expired entries are purged on read and by `purge()`.
 */
export class MemoryKvStore implements KeyValueStore {
  readonly #cache: BoundedCache<string, string>;
  #closed = false;

  constructor(options: MemoryKvStoreOptions) {
    this.#cache = new BoundedCache<string, string>({
      capacity: options.maxEntries,
      name: 'kv_store',
      structures: options.structures,
      logger: options.logger,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  open(): Promise<void> {
    return Promise.resolve();
  }

  get(key: string): Promise<string | null> {
    if (this.#closed) return Promise.reject(closed());
    return Promise.resolve(this.#cache.get(key) ?? null);
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (this.#closed) return Promise.reject(closed());
    this.#cache.set(
      key,
      value,
      ttlSeconds === undefined ? undefined : { ttlMs: Math.round(ttlSeconds * 1000) },
    );
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#cache.delete(key);
    return Promise.resolve();
  }

  /** Removes expired entries now; returns how many. */
  purge(): number {
    return this.#cache.purgeStale();
  }

  status(): KvStatus {
    return {
      backend: 'memory',
      connected: !this.#closed,
      pending: 0,
      errors: 0,
      reconnects: 0,
      keys: this.#cache.size,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#cache.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function closed(): KvError {
  return new KvError(GatewayErrorCode.KV_CLOSED, 'the key-value store is closed');
}
