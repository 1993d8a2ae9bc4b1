import type { Logger, StructureRegistry } from '@steadystate/lifecycle';
import type { GatewayConfig } from '../config/config.js';
import type { KeyValueStore, KvStatus } from './kv-store.js';
import { MemoryKvStore } from './memory-kv-store.js';

/** No store at all (KV_STORE=none): reads find nothing, writes are dropped. */
class NoKvStore implements KeyValueStore {
  open(): Promise<void> {
    return Promise.resolve();
  }
  get(): Promise<string | null> {
    return Promise.resolve(null);
  }
  set(): Promise<void> {
    return Promise.resolve();
  }
  delete(): Promise<void> {
    return Promise.resolve();
  }
  status(): KvStatus {
    return { backend: 'none', connected: false, pending: 0, errors: 0, reconnects: 0 };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The store the configuration asks for. The Redis client is loaded only when it is asked for. */
export async function createKvStore(
  config: GatewayConfig['store'],
  structures: StructureRegistry,
  logger: Logger,
): Promise<KeyValueStore> {
  if (config.backend === 'none') {
    logger.warn(
      {},
      'no key-value store configured (KV_STORE=none): indices are not stored, the dashboard is empty',
    );
    return new NoKvStore();
  }
  if (config.backend === 'redis' && config.redisUrl !== undefined) {
    const { RedisKvStore } = await import('./redis-kv-store.js');
    return new RedisKvStore({
      url: config.redisUrl,
      maxPending: config.redisMaxPending,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      logger,
    });
  }
  return new MemoryKvStore({ maxEntries: config.maxEntries, structures, logger });
}
