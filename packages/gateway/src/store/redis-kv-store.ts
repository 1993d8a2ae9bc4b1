import { CloseOnce, incrementCounter, type Logger } from '@steadystate/lifecycle';
import { Redis } from 'ioredis';
import { KvError, KvErrorCode, type KeyValueStore, type KvStatus } from './kv-store.js';

export interface RedisKvStoreOptions {
  url: string;
  /**
   * Operations allowed to wait at once, for a (re)connection or for replies; more are refused with
   * KV_BACKLOG_FULL. Counted in every state: a connection that is up but stopped answering
   * (a network partition) would otherwise collect every call made until the command timeout.
   */
  maxPending: number;
  /** A command not answered within this many ms fails instead of hanging. */
  commandTimeoutMs: number;
  logger: Logger;
}

/**
 * Redis through ONE long-lived ioredis client for the life of the service (the seeds opened a
 * client per call and never closed it, so connections piled up on the server). It reconnects by
 * itself with capped exponential backoff; while it is down, operations wait in ioredis's offline
 * queue, but never more than `maxPending` of them (in flight or queued), and each fails after
 * `commandTimeoutMs`.
 */
export class RedisKvStore implements KeyValueStore {
  readonly #client: Redis;
  readonly #maxPending: number;
  readonly #logger: Logger;
  readonly #closing = new CloseOnce();
  #pending = 0;
  #errors = 0;
  #reconnects = 0;
  #loggedDown = false;

  constructor(options: RedisKvStoreOptions) {
    this.#maxPending = options.maxPending;
    this.#logger = options.logger;
    this.#client = new Redis(options.url, {
      connectionName: 'steadystate-gateway',
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(1000, options.commandTimeoutMs),
      maxRetriesPerRequest: 1,
      // 50 ms, 100 ms, 200 ms ... capped at 5 s; never gives up.
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), 5000),
      lazyConnect: false,
    });
    this.#client.on('error', (error: Error) => {
      this.#errors = incrementCounter(this.#errors);
      if (!this.#loggedDown) {
        this.#loggedDown = true;
        this.#logger.warn({ err: error }, 'redis unavailable; reconnecting with backoff');
      }
    });
    this.#client.on('reconnecting', () => (this.#reconnects = incrementCounter(this.#reconnects)));
    this.#client.on('ready', () => {
      if (this.#loggedDown) this.#logger.info({}, 'redis connection restored');
      this.#loggedDown = false;
    });
  }

  get(key: string): Promise<string | null> {
    return this.#run(() => this.#client.get(key));
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.#run(() =>
      ttlSeconds === undefined
        ? this.#client.set(key, value)
        : this.#client.set(key, value, 'PX', Math.round(ttlSeconds * 1000)),
    );
  }

  async delete(key: string): Promise<void> {
    await this.#run(() => this.#client.del(key));
  }

  status(): KvStatus {
    return {
      backend: 'redis',
      connected: this.#client.status === 'ready',
      pending: this.#pending,
      errors: this.#errors,
      reconnects: this.#reconnects,
    };
  }

  /** Sends QUIT (waits for pending replies), falling back to a hard disconnect. Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      try {
        if (this.#client.status === 'ready') await this.#client.quit();
        else this.#client.disconnect();
      } catch {
        this.#client.disconnect();
      }
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closing.closing) throw new KvError(KvErrorCode.CLOSED, 'the key-value store is closed');
    if (this.#pending >= this.#maxPending) {
      throw new KvError(KvErrorCode.BACKLOG_FULL, `${this.#pending} redis operations already wait`);
    }
    this.#pending++;
    try {
      return await command();
    } catch (error) {
      throw new KvError(
        KvErrorCode.UNAVAILABLE,
        `redis: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    } finally {
      this.#pending--;
    }
  }
}
