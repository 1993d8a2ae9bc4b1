import { GatewayErrorCode } from '../errors.js';
import { CloseOnce, incrementCounter, type Logger } from '@steadystate/lifecycle';
import { Redis } from 'ioredis';
import { KvError, type KeyValueStore, type KvStatus } from './kv-store.js';

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
  readonly #db: number;
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
      // Connected by open(), so a start that fails before it leaves no socket behind.
      lazyConnect: true,
    });
    this.#db = this.#client.options.db ?? 0;
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

  async open(): Promise<void> {
    const refusals: Error[] = [];
    const onError = (error: Error) => {
      if (isRefusal(error)) refusals.push(error);
    };
    this.#client.on('error', onError);
    try {
      await this.#client.connect();
      // ioredis reports a refused SELECT (a database index the server does not have) only as an
      // error event and carries on in database 0: ask the server where this connection is.
      const info = String(await this.#client.client('INFO'));
      const db = Number(/\bdb=(\d+)/.exec(info)?.[1] ?? this.#db);
      if (db !== this.#db || refusals.length > 0) {
        const reason = refusals[0]?.message ?? `database ${this.#db} was not selected`;
        throw new KvError(GatewayErrorCode.KV_REFUSED, `redis refused the connection: ${reason}`);
      }
    } catch (error) {
      if (error instanceof KvError) throw error;
      const refusal = refusals[0] ?? (isRefusal(error) ? (error as Error) : undefined);
      if (refusal)
        throw new KvError(GatewayErrorCode.KV_REFUSED, `redis refused the connection: ${refusal.message}`);
      // Unreachable for now: ioredis goes on reconnecting with backoff, and status() says so.
      this.#logger.warn({ err: error }, 'redis unreachable at start; reconnecting with backoff');
    } finally {
      this.#client.off('error', onError);
    }
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

  /**
   * Sends QUIT (waits for pending replies), falling back to a hard disconnect, and resolves once
   * the connection has ended (QUIT's reply comes before the socket closes). Idempotent.
   */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      const client = this.#client;
      if (client.status === 'end') return;
      const ended = new Promise<void>((resolve) => client.once('end', resolve));
      try {
        if (client.status === 'ready') await client.quit();
        else client.disconnect();
      } catch {
        client.disconnect();
      }
      // A hang guard on real time: a server that never closes its side is cut off.
      const guard = setTimeout(() => client.disconnect(), QUIT_GRACE_MS);
      await ended;
      clearTimeout(guard);
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closing.closing) throw new KvError(GatewayErrorCode.KV_CLOSED, 'the key-value store is closed');
    if (this.#pending >= this.#maxPending) {
      throw new KvError(GatewayErrorCode.KV_BACKLOG_FULL, `${this.#pending} redis operations already wait`);
    }
    this.#pending++;
    try {
      return await command();
    } catch (error) {
      throw new KvError(
        GatewayErrorCode.KV_UNAVAILABLE,
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

/** How long close() lets the server end the connection after QUIT before cutting it. */
const QUIT_GRACE_MS = 2000;

/** Errors the server answers when it refuses the credentials or the database: no retry fixes them. */
function isRefusal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /^(WRONGPASS|NOAUTH|NOPERM|ERR (invalid password|DB index|invalid DB index))/i.test(message);
}
