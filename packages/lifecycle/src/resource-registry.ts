import { systemClock, type Clock, type Timers } from './clock.js';
import { LifecycleError, LifecycleErrorCode, closedError } from './errors.js';
import { captureCallSite, type CallSite } from './internal/call-site.js';
import { callThen } from './internal/call-then.js';
import { CloseOnce } from './internal/close-once.js';
import { NO_CLOSE_METHOD, closeResource, isClosable } from './internal/close-resource.js';
import { increment } from './internal/counter.js';
import { toError } from './internal/errors.js';
import { LeaseAudit } from './internal/lease-audit.js';
import { MAX_DURATION_MS, OptionReader } from './internal/options.js';
import { raceAbort } from './internal/race-abort.js';
import { ResourceEntry, type LeaseRecord } from './internal/resource-entry.js';
import { ResourceTable } from './internal/resource-table.js';
import { stderrLogger, type Logger } from './logger.js';
import { PeriodicJob } from './periodic-job.js';
import { ResourceLease } from './resource-lease.js';
import type {
  AcquireOptions,
  CloseKeyOptions,
  CloseKeyResult,
  Lease,
  ResourceEntryInfo,
  ResourceFactory,
  ResourceRegistryOptions,
  ResourceRegistryStats,
  SuspectedLeak,
} from './resource-registry-options.js';
import { registerStructure, type MeasuredStructure, type StructureRegistry } from './structure-registry.js';

export type * from './resource-registry-options.js';

const MAX_RESOURCES = 1_000_000;

/**
 * Keyed, reference-counted closable resources (exchange clients, upstream connections). Each use
 * holds a {@link Lease}; a resource is closed by the idle sweep only when no lease is held and its
 * last acquire *or release* is at least `maxIdleMs` old, so a resource in use is never torn down
 * as idle, however old it is.
 *
 * - Concurrent `acquire`s of one key call the factory once and all receive leases; a factory that
 *   fails leaves no entry, every waiter gets the same `FACTORY_FAILED` error, and the next acquire
 *   tries again. A factory that returns synchronously makes the whole acquire synchronous but for
 *   the returned promise.
 * - A resource once closing is never handed out again: the next acquire of its key creates a fresh
 *   one at once, beside the old one still closing, so a slow or hung close never blocks its key.
 * - `closeKey()` on a leased resource drains it (it closes on the last release) rather than
 *   pulling it from under its users; `force` closes it now.
 * - A close that throws or rejects is logged with the key and counted, and the resource is removed
 *   all the same. Closes of different keys run independently.
 * - `close()` closes every resource, leased or not (the owner is shutting down), after waiting for
 *   the factories in flight.
 */
export class ResourceRegistry<K, R extends NonNullable<unknown>> implements MeasuredStructure {
  readonly name: string;
  /** `maxResources`: the most resources being created or ready at once. */
  readonly capacity: number;
  readonly maxIdleMs: number;
  readonly closeDelayMs: number | undefined;
  readonly #audit: LeaseAudit | undefined;
  readonly #captureStacks: boolean;
  readonly #close: (resource: R, key: K) => unknown;
  readonly #checkClosable: boolean;
  readonly #keyOf: (key: K) => string;
  readonly #logger: Logger;
  readonly #now: Clock;
  readonly #timers: Timers;
  readonly #owner: string;
  readonly #table = new ResourceTable<K, R>();
  readonly #sweeper: PeriodicJob;
  readonly #unregister: () => void;
  readonly #closing = new CloseOnce();
  #creating = 0;
  #created = 0;
  #closed = 0;
  #closeErrors = 0;
  #factoryErrors = 0;
  #evictions = 0;
  #closesScheduled = 0;

  constructor(options?: ResourceRegistryOptions<K, R>) {
    const read = new OptionReader('ResourceRegistry', options);
    this.maxIdleMs = read.integer('maxIdleMs', { min: 0, max: MAX_DURATION_MS }, 1_800_000);
    this.closeDelayMs = read.optionalInteger('closeDelayMs', { min: 0, max: MAX_DURATION_MS });
    const sweepIntervalMs = read.integer('sweepIntervalMs', { min: 1, max: MAX_DURATION_MS }, 60_000);
    const maxLeaseMs = read.optionalInteger('maxLeaseMs', { min: 1, max: MAX_DURATION_MS });
    this.#captureStacks = read.boolean('captureStacks', true) && maxLeaseMs !== undefined;
    this.capacity = read.integer('maxResources', { min: 1, max: MAX_RESOURCES }, 10_000);
    const close = read.optionalFunction<(resource: R, key: K) => unknown>('close');
    this.#close = close ?? closeResource;
    this.#checkClosable = close === undefined;
    this.#keyOf = read.function<(key: K) => string>('keyOf', defaultKeyOf);
    this.name = read.string('name', 'resources');
    this.#logger = read.object('logger', ['warn', 'error'], stderrLogger);
    this.#now = read.function('now', systemClock);
    this.#timers = read.timers();
    const autostart = read.boolean('autostart', true);
    const structures = read.optionalObject<StructureRegistry>('structures', ['register']);

    this.#owner = `ResourceRegistry "${this.name}"`;
    if (maxLeaseMs !== undefined) this.#audit = new LeaseAudit(maxLeaseMs, this.name, this.#logger);
    this.#sweeper = new PeriodicJob({
      name: `${this.name}.sweep`,
      intervalMs: sweepIntervalMs,
      // The closes are not awaited: a hung close must not keep the job busy and skip later sweeps.
      run: () => void this.#sweep(),
      logger: this.#logger,
      now: this.#now,
      timers: this.#timers,
      autostart,
    });
    this.#unregister = registerStructure(structures, this);
  }

  /** Starts the idle sweep; only needed with `autostart: false`. Throws `CLOSED` after `close()`. */
  start(): void {
    if (this.#closing.closing) throw closedError(this.#owner);
    this.#sweeper.start();
  }

  /** Resources being created or ready. */
  get size(): number {
    return this.#table.size;
  }

  /**
   * A lease on the resource for `key`, created by `factory` if there is none. While the resource is
   * being created, later callers wait for it (their `factory` is not called). Rejects with `CLOSED`
   * after `close()`, `ABORTED` when `options.signal` fires first, `FACTORY_FAILED` (the factory's
   * error as `cause`) and `LIMIT_REACHED` when `maxResources` resources all hold leases.
   */
  async acquire(key: K, factory: ResourceFactory<K, R>, options?: AcquireOptions): Promise<Lease<R>> {
    if (this.#closing.closing) throw closedError(this.#owner);
    const signal = options?.signal;
    if (signal?.aborted) throw abortedError(signal);
    const id = this.#idOf(key);
    const site = this.#captureStacks ? captureCallSite() : undefined;
    const entry = this.#table.get(id) ?? this.#create(id, key, factory);
    // Leased synchronously: no sweep or close can slip in between the check and the lease.
    const resource = entry.resource;
    if (resource !== undefined && entry.state === 'ready') return this.#lease(entry, resource, site);
    return this.#leaseWhenReady(entry, site, signal);
  }

  /**
   * Closes the resource for `key` (see {@link CloseKeyOptions.force}). Without `force`, a resource
   * with leases (or callers waiting for its creation) drains: it leaves the registry at once and
   * closes on its last release. Draining ones are not affected by a later `closeKey`.
   */
  async closeKey(key: K, options?: CloseKeyOptions): Promise<CloseKeyResult> {
    const entry = this.#table.get(this.#idOf(key));
    if (entry === undefined) return 'absent';
    if (options?.force === true || entry.idle) {
      await this.#startClose(entry);
      return 'closed';
    }
    this.#table.retire(entry, 'draining');
    return 'draining';
  }

  /**
   * Closes every resource without leases idle for `maxIdleMs` or longer, waits for those closes and
   * returns how many there were. For an explicit age (`cleanupUnusedExchanges(maxAgeHours)`).
   */
  async closeIdle(maxIdleMs: number): Promise<number> {
    if (typeof maxIdleMs !== 'number' || !(maxIdleMs >= 0)) {
      throw new RangeError(
        `${this.#owner}.closeIdle: maxIdleMs must be a number >= 0; received ${maxIdleMs}`,
      );
    }
    return settleAll(this.#closeIdle(maxIdleMs, this.#now()));
  }

  /**
   * What the periodic sweep does, now: reports leases held longer than `maxLeaseMs`, closes the
   * resources idle for `maxIdleMs`, waits for those closes and returns how many there were.
   */
  sweep(): Promise<number> {
    return settleAll(this.#sweep());
  }

  /** Every resource with its state, lease count and times, least recently used first. */
  entries(): ResourceEntryInfo<K>[] {
    return [...this.#table.all()].map((entry) => entry.info());
  }

  /** Leases still held that were reported as held longer than `maxLeaseMs`. */
  suspectedLeaks(): SuspectedLeak<K>[] {
    return this.#audit?.list(this.#table.all(), this.#now()) ?? [];
  }

  stats(): ResourceRegistryStats {
    return {
      name: this.name,
      resources: this.#table.size,
      creating: this.#creating,
      leases: this.#table.leases,
      ...this.#table.retiringCounts(),
      maxResources: this.capacity,
      created: this.#created,
      closed: this.#closed,
      closeErrors: this.#closeErrors,
      factoryErrors: this.#factoryErrors,
      evictions: this.#evictions,
      suspectedLeaks: this.#audit?.reported ?? 0,
      closesScheduled: this.#closesScheduled,
    };
  }

  /**
   * Stops the sweep, then closes every resource (leased, draining or still being created: factories
   * in flight are told through their signal and awaited) and waits for all closes. Idempotent.
   */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      this.#unregister();
      await this.#sweeper.close();
      await Promise.all([...this.#table.all()].map((entry) => this.#startClose(entry)));
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #create(id: string, key: K, factory: ResourceFactory<K, R>): ResourceEntry<K, R> {
    this.#makeRoom();
    const entry = new ResourceEntry<K, R>(id, key, this.#now());
    // Registered before the factory runs: a factory that acquires its own key waits for itself
    // instead of creating a second resource.
    this.#table.add(entry);
    this.#creating++;
    callThen(
      () => factory(key, entry.factoryContext),
      (resource) => this.#factoryDone(entry, resource),
      (thrown) => this.#factoryFailed(entry, thrown),
    );
    return entry;
  }

  #factoryDone(entry: ResourceEntry<K, R>, resource: R): void {
    // The entry tells "created" from "being created" by its resource being set.
    if (resource === undefined || resource === null) {
      this.#factoryFailed(entry, new TypeError('the factory returned no resource'));
      return;
    }
    if (this.#checkClosable && !isClosable(resource)) {
      this.#factoryFailed(entry, new TypeError(`the factory's result has ${NO_CLOSE_METHOD}`));
      return;
    }
    this.#creating--;
    this.#created = increment(this.#created);
    entry.created(resource);
    this.#drainIfDone(entry);
  }

  #factoryFailed(entry: ResourceEntry<K, R>, thrown: unknown): void {
    this.#creating--;
    this.#factoryErrors = increment(this.#factoryErrors);
    this.#table.forget(entry);
    const message = `${this.#owner}: the factory for key ${entry.id} failed`;
    entry.failed(new LifecycleError(LifecycleErrorCode.FACTORY_FAILED, message, { cause: thrown }));
  }

  async #leaseWhenReady(
    entry: ResourceEntry<K, R>,
    site: CallSite | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Lease<R>> {
    entry.waiters++;
    try {
      const resource = await (signal ? raceAbort(entry.ready, signal, abortedError) : entry.ready);
      // A forced closeKey() or the registry's close() took the entry while this caller waited.
      if (entry.state === 'closing') throw closedError(this.#owner);
      return this.#lease(entry, resource, site);
    } finally {
      entry.waiters--;
      this.#drainIfDone(entry);
    }
  }

  #lease(entry: ResourceEntry<K, R>, resource: R, site: CallSite | undefined): Lease<R> {
    this.#cancelDelayedClose(entry);
    const record: LeaseRecord = { acquiredAt: this.#now(), site, reported: false };
    this.#table.lease(entry, record);
    return new ResourceLease(resource, () => this.#release(entry, record));
  }

  #release(entry: ResourceEntry<K, R>, record: LeaseRecord): void {
    // False after a forced close, which made every lease on the entry inert.
    if (!this.#table.release(entry, record, this.#now())) return;
    this.#drainIfDone(entry);
    if (entry.idle && this.closeDelayMs !== undefined) this.#scheduleDelayedClose(entry, this.closeDelayMs);
  }

  #scheduleDelayedClose(entry: ResourceEntry<K, R>, delayMs: number): void {
    this.#cancelDelayedClose(entry);
    entry.delayedClose = this.#timers.setTimeout(() => {
      entry.delayedClose = undefined;
      this.#closesScheduled--;
      // Re-checked at the deadline: a lease taken meanwhile cancelled the timer, but be sure.
      if (entry.idle) void this.#startClose(entry);
    }, delayMs);
    this.#closesScheduled++;
  }

  #cancelDelayedClose(entry: ResourceEntry<K, R>): void {
    if (entry.delayedClose === undefined) return;
    this.#timers.clearTimeout(entry.delayedClose);
    entry.delayedClose = undefined;
    this.#closesScheduled--;
  }

  #drainIfDone(entry: ResourceEntry<K, R>): void {
    if (entry.drained) void this.#startClose(entry);
  }

  /** At `maxResources`, closes the least recently used idle resource, or refuses the new key. */
  #makeRoom(): void {
    if (this.#table.size < this.capacity) return;
    const victim = this.#table.leastRecentlyUsedIdle();
    if (victim === undefined) {
      const message = `${this.#owner}: maxResources (${this.capacity}) reached and every resource is leased`;
      throw new LifecycleError(LifecycleErrorCode.LIMIT_REACHED, message);
    }
    this.#evictions = increment(this.#evictions);
    void this.#startClose(victim);
  }

  #sweep(): Promise<void>[] {
    const now = this.#now();
    this.#audit?.check(this.#table.all(), now);
    return this.#closeIdle(this.maxIdleMs, now);
  }

  #closeIdle(maxIdleMs: number, now: number): Promise<void>[] {
    return this.#table.idleSince(now - maxIdleMs).map((entry) => this.#startClose(entry));
  }

  /** Takes the entry out of service and closes it once; later calls get the same promise. */
  #startClose(entry: ResourceEntry<K, R>): Promise<void> {
    if (entry.closed) return entry.closed;
    this.#cancelDelayedClose(entry);
    this.#table.retire(entry, 'closing');
    this.#table.dropLeases(entry);
    if (entry.resource === undefined) entry.abortFactory(closedError(this.#owner));
    entry.closed = this.#closeEntry(entry);
    return entry.closed;
  }

  /** Never rejects: a failed close is logged and counted, and the entry goes all the same. */
  async #closeEntry(entry: ResourceEntry<K, R>): Promise<void> {
    try {
      const resource = entry.resource ?? (await entry.ready.catch(() => undefined));
      if (resource === undefined) return; // the factory failed: there is nothing to close
      await this.#close(resource, entry.key);
    } catch (thrown) {
      this.#closeErrors = increment(this.#closeErrors);
      this.#logger.error(
        { registry: this.name, key: entry.id, err: toError(thrown) },
        'resource close failed; the resource is removed all the same',
      );
    } finally {
      this.#table.forget(entry);
    }
    this.#closed = increment(this.#closed);
  }

  #idOf(key: K): string {
    const id: unknown = this.#keyOf(key);
    if (typeof id !== 'string') {
      throw new TypeError(`${this.#owner}: keyOf returned ${typeof id}, not a string`);
    }
    return id;
  }
}

function defaultKeyOf(key: unknown): string {
  return typeof key === 'string' ? key : JSON.stringify(key);
}

function abortedError(signal: AbortSignal): LifecycleError {
  return new LifecycleError(LifecycleErrorCode.ABORTED, 'ResourceRegistry: acquire aborted', {
    cause: signal.reason,
  });
}

async function settleAll(closes: Promise<void>[]): Promise<number> {
  await Promise.all(closes);
  return closes.length;
}
