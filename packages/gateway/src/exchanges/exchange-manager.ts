import {
  CloseOnce,
  ResourceRegistry,
  schedulingOf,
  type CloseKeyResult,
  type Clock,
  type Lease,
  type Logger,
  type SchedulingOptions,
  type StructureRegistry,
} from '@steadystate/lifecycle';
import { exchangeKeyId, type ExchangeClient, type ExchangeKey } from './exchange-client.js';

export interface ExchangeManagerOptions extends SchedulingOptions {
  /** Creates the client of a key; the manager closes it. */
  createClient: (key: ExchangeKey) => ExchangeClient | Promise<ExchangeClient>;
  /** Unleased clients idle this long are closed by the sweep. */
  maxIdleMs: number;
  sweepIntervalMs: number;
  structures: StructureRegistry;
  logger: Logger;
  /** Idle ages of clients. @default Date.now */
  now?: Clock;
}

/**
 * Cached exchange clients keyed by (exchange, testnet, contract type, access), on the toolkit's
 * ResourceRegistry: every use holds a lease released in `finally`, so a client in use is never
 * closed, and one nobody uses is closed once idle. The seed kept clients forever and closed
 * clients in use; here neither can happen.
 */
export class ExchangeManager {
  readonly #registry: ResourceRegistry<ExchangeKey, ExchangeClient>;
  readonly #createClient: ExchangeManagerOptions['createClient'];
  readonly #closing = new CloseOnce();

  constructor(options: ExchangeManagerOptions) {
    this.#createClient = options.createClient;
    this.#registry = new ResourceRegistry<ExchangeKey, ExchangeClient>({
      name: 'exchange-clients',
      keyOf: exchangeKeyId,
      maxIdleMs: options.maxIdleMs,
      sweepIntervalMs: options.sweepIntervalMs,
      close: (client) => client.close(),
      structures: options.structures,
      logger: options.logger,
      ...schedulingOf(options),
    });
  }

  /** Starts the idle sweep; only needed with `autostart: false`. */
  start(): void {
    this.#registry.start();
  }

  /** A lease on the client of `key`, created on first use. Release it in `finally` (or `await using`). */
  acquire(key: ExchangeKey, signal?: AbortSignal): Promise<Lease<ExchangeClient>> {
    return this.#registry.acquire(key, (k) => this.#createClient(k), signal ? { signal } : undefined);
  }

  /** Runs `use` with a leased client and releases the lease whatever happens. */
  async withClient<T>(
    key: ExchangeKey,
    use: (client: ExchangeClient) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const lease = await this.acquire(key, signal);
    try {
      return await use(lease.resource);
    } finally {
      lease.release();
    }
  }

  /**
   * Closes the client of one key: at once when unused, else as soon as its last user releases it
   * (it is no longer handed out). Both access kinds when `access` is not given.
   */
  async closeExchange(
    exchange: string,
    testnet: boolean,
    contractType: ExchangeKey['contractType'],
    access?: ExchangeKey['access'],
  ): Promise<CloseKeyResult[]> {
    const kinds: ExchangeKey['access'][] = access ? [access] : ['public', 'authenticated'];
    return Promise.all(
      kinds.map((a) => this.#registry.closeKey({ exchange, testnet, contractType, access: a })),
    );
  }

  /** Closes the clients nobody holds that have been idle at least `maxAgeHours`. Returns how many. */
  cleanupUnusedExchanges(maxAgeHours: number): Promise<number> {
    return this.#registry.closeIdle(maxAgeHours * 3_600_000);
  }

  stats() {
    const s = this.#registry.stats();
    return {
      clients: s.resources,
      leases: s.leases,
      created: s.created,
      closed: s.closed,
      close_errors: s.closeErrors,
      factory_errors: s.factoryErrors,
      entries: this.#registry
        .entries()
        .map((e) => ({ key: e.id, state: e.state, leases: e.leases, last_used_at: e.lastUsedAt })),
    };
  }

  close(): Promise<void> {
    return this.#closing.run(() => this.#registry.close());
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
