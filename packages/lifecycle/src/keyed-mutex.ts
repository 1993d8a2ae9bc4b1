import { systemClock, type Clock } from './clock.js';
import { InvalidOptionError, LifecycleError, LifecycleErrorCode, closedError } from './errors.js';
import { CloseOnce } from './internal/close-once.js';
import { increment } from './internal/counter.js';
import { toError } from './internal/errors.js';
import {
  LockEntry,
  LockWaiter,
  WaiterQueue,
  type CriticalSection,
  type LockOwner,
} from './internal/lock-entry.js';
import { LockLease } from './internal/lock-lease.js';
import { MAX_DURATION_MS, OptionReader } from './internal/options.js';
import type { AcquireOptions, KeyedLock, KeyedMutexOptions, KeyedMutexStats } from './keyed-mutex-options.js';
import { stderrLogger } from './logger.js';
import { PeriodicJob } from './periodic-job.js';
import { registerStructure, type MeasuredStructure } from './structure-registry.js';

export type { AcquireOptions, KeyedLock, KeyedMutexOptions, KeyedMutexStats };

const MAX_COUNT = 2 ** 30;

/**
 * One async lock per key: `withLock(key, fn)` runs `fn` while holding the key's lock, and
 * `acquire(key)` hands out a {@link KeyedLock} to release (or dispose with `using`). Waiters get
 * the lock in arrival order: a release hands the key straight to the first waiter, so a newcomer
 * can never overtake the queue. The lock is not reentrant: a section that waits for its own key
 * waits forever (give it a `timeoutMs` if that can happen).
 *
 * An entry exists while its key is held or awaited, and while idle only as long as `idleMs`
 * allows. Idle entries are the only ones that can be dropped (on release, by the sweep, by
 * `delete`): a held or awaited lock is never evicted, whatever its age. A lock dropped while held
 * would let a second writer in beside the first, which is how two writers ended up appending to
 * one log file in the system this toolkit replaces.
 *
 * Uncontended, `withLock` costs a map lookup, a four-field entry and one `.then` on the section's
 * promise; no timer and, with `idleMs` 0, no clock reading. A waiter adds a promise and one small
 * object (no closure for its timeout or abort listener), and a timer only if it asked for a
 * timeout. A queued `withLock` section starts inside the release that frees the key, so no tick
 * passes with the key free while others wait. `docs/benchmarks.md` has the measurements against
 * async-lock.
 */
export class KeyedMutex<K = string> implements MeasuredStructure {
  readonly name: string;
  /** `maxKeys`: the structure registry reports it as the capacity. */
  readonly capacity: number;
  readonly idleMs: number;
  readonly #maxWaitersPerKey: number;
  readonly #maxWaiters: number;
  readonly #now: Clock;
  readonly #entries = new Map<K, LockEntry<K>>();
  readonly #owner: LockOwner<K>;
  readonly #sweeper: PeriodicJob | undefined;
  readonly #unregister: () => void;
  readonly #closing = new CloseOnce();
  /** Entries held now; the rest are idle. Kept as a count so idle entries need no second index. */
  #held = 0;
  #waiting = 0;
  #acquisitions = 0;
  #contended = 0;
  #timeouts = 0;
  #aborts = 0;
  #rejected = 0;
  #dropped = 0;

  constructor(options?: KeyedMutexOptions) {
    const read = new OptionReader('KeyedMutex', options);
    this.name = read.string('name', 'keyed-mutex');
    this.idleMs = read.integer('idleMs', { min: 0, max: MAX_DURATION_MS }, 0);
    if (this.idleMs === 0 && options?.sweepIntervalMs !== undefined) {
      read.fail('sweepIntervalMs', 'unset while idleMs is 0 (there is nothing to sweep)');
    }
    const sweepIntervalMs =
      this.idleMs === 0
        ? undefined
        : read.integer('sweepIntervalMs', { min: 1, max: MAX_DURATION_MS }, this.idleMs);
    this.capacity = read.integer('maxKeys', { min: 1, max: MAX_COUNT }, 100_000);
    this.#maxWaitersPerKey = read.integer('maxWaitersPerKey', { min: 0, max: MAX_COUNT }, 1000);
    this.#maxWaiters = read.integer('maxWaiters', { min: 0, max: MAX_COUNT }, 100_000);
    const logger = read.object('logger', ['warn', 'error'], stderrLogger);
    this.#now = read.function('now', systemClock);
    const timers = read.timers();
    const autostart = read.boolean('autostart', true);
    const structures = read.optionalObject<NonNullable<KeyedMutexOptions['structures']>>('structures', [
      'register',
    ]);

    this.#owner = {
      release: (entry) => this.#release(entry),
      cancel: (waiter, why, cause) => this.#cancel(waiter, why, cause),
    };
    this.#sweeper =
      sweepIntervalMs === undefined
        ? undefined
        : new PeriodicJob({
            name: `${this.name}:sweep`,
            intervalMs: sweepIntervalMs,
            run: () => void this.sweep(),
            logger,
            now: this.#now,
            timers,
            autostart,
          });
    this.#unregister = registerStructure(structures, this);
  }

  /** Starts the idle sweep; only needed with `autostart: false`. Throws `CLOSED` after `close()`. */
  start(): void {
    this.#sweeper?.start();
  }

  /** Entries: keys held, awaited or idle. */
  get size(): number {
    return this.#entries.size;
  }

  /** True while `key` is held. */
  isLocked(key: K): boolean {
    return this.#entries.get(key)?.held ?? false;
  }

  /**
   * Waits for `key`'s lock and resolves to a handle that releases it. Rejects with `TIMEOUT`,
   * `ABORTED`, `QUEUE_FULL`, `LIMIT_REACHED` or `CLOSED`; a waiter that gives up leaves the queue
   * at once and takes its timer and abort listener with it.
   */
  acquire(key: K, options?: AcquireOptions): Promise<KeyedLock<K>> {
    try {
      const taken = this.#take(key, options, undefined);
      // A waiter without a section is resolved with a lease (see #release).
      return taken instanceof LockEntry
        ? Promise.resolve(new LockLease(taken, this.#owner))
        : (taken as Promise<KeyedLock<K>>);
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  /**
   * Runs `fn` while holding `key`'s lock and releases it when `fn` returns, throws or settles.
   * Settles as `fn` does, or rejects as {@link acquire} does without running `fn`. A queued call's
   * `fn` starts inside the release that frees the key, so the key is never idle in between.
   */
  withLock<T>(key: K, fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<T> {
    try {
      if (typeof fn !== 'function') {
        throw new InvalidOptionError(`${this.#label}.withLock`, 'fn', 'a function', fn);
      }
      const taken = this.#take(key, options, fn);
      // Both promises settle as `fn` does (see #run).
      return (taken instanceof LockEntry ? this.#run(taken, fn) : taken) as Promise<T>;
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  /** Drops `key`'s entry if it is idle. Returns false (and drops nothing) while it is held or awaited. */
  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.held) return false;
    this.#entries.delete(key);
    this.#dropped = increment(this.#dropped);
    return true;
  }

  /**
   * Drops the entries idle for at least `idleMs` now, as the scheduled sweep does; returns how
   * many went. An entry that is held or awaited is never dropped, whatever its age.
   */
  sweep(): number {
    return this.#entries.size === this.#held ? 0 : this.#dropIdle(this.#now() - this.idleMs);
  }

  stats(): KeyedMutexStats {
    return {
      name: this.name,
      keys: this.#entries.size,
      held: this.#held,
      idle: this.#entries.size - this.#held,
      waiting: this.#waiting,
      acquisitions: this.#acquisitions,
      contended: this.#contended,
      timeouts: this.#timeouts,
      aborts: this.#aborts,
      rejected: this.#rejected,
      dropped: this.#dropped,
    };
  }

  /**
   * Refuses new acquires, rejects every waiter with `CLOSED`, drops idle entries, stops the sweep
   * and unregisters. Holders keep their locks until they release them (their entries go then):
   * taking a lock away from running code is the bug this class exists to prevent. Idempotent.
   */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      for (const { waiters } of this.#entries.values()) {
        for (let waiter = waiters?.first; waiter !== undefined; waiter = waiters?.first) {
          this.#unqueue(waiter);
          waiter.reject(closedError(this.#label));
        }
      }
      this.#dropIdle(Infinity);
      this.#unregister();
      await this.#sweeper?.close();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  get #label(): string {
    return `KeyedMutex "${this.name}"`;
  }

  /**
   * The key's entry, locked for the caller, when the key was free; otherwise the queued waiter's
   * promise (of a lease, or of the section's result when `section` is given). Throws what the
   * acquire rejects with.
   */
  #take(
    key: K,
    options: AcquireOptions | undefined,
    section: CriticalSection | undefined,
  ): LockEntry<K> | Promise<unknown> {
    if (this.#closing.closing) throw closedError(this.#label);
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const read = new OptionReader(`${this.#label}.acquire`, options);
      timeoutMs = read.optionalInteger('timeoutMs', { min: 0, max: MAX_DURATION_MS });
      signal = read.optionalSignal('signal');
      if (signal?.aborted) throw this.#failure('abort', signal.reason);
    }
    let entry = this.#entries.get(key);
    if (entry === undefined) entry = this.#create(key);
    else if (entry.held) return this.#enqueue(entry, section, timeoutMs, signal);
    else entry.held = true;
    this.#held++;
    this.#acquisitions = increment(this.#acquisitions);
    return entry;
  }

  /**
   * Runs a section under `entry`'s lock (already held) and releases it when the section settles.
   * Without `waiter` the returned promise settles as the section does; with one, the waiter's
   * promise does. The key is released before the caller is told, so the next section starts
   * first. A section that throws synchronously is released a tick later like any other, so a
   * queue of throwing sections unwinds one tick at a time instead of recursing. Plain promise
   * callbacks instead of an async function: this is the hot path, and they cost one promise and
   * no suspended frame.
   */
  #run(entry: LockEntry<K>, section: CriticalSection, waiter?: LockWaiter<K>): Promise<unknown> {
    let result: unknown;
    try {
      result = section();
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the caller's own error, unchanged
      result = Promise.reject(error);
    }
    return Promise.resolve(result).then(
      (value) => {
        this.#release(entry);
        waiter?.resolve(value);
        return value;
      },
      (error: unknown) => {
        this.#release(entry);
        if (waiter === undefined) throw error;
        waiter.reject(error);
      },
    );
  }

  #create(key: K): LockEntry<K> {
    // Idle entries are only a cache: at the cap they all make room, whatever their age.
    if (this.#entries.size >= this.capacity && this.#dropIdle(Infinity) === 0) {
      this.#rejected = increment(this.#rejected);
      throw new LifecycleError(
        LifecycleErrorCode.LIMIT_REACHED,
        `${this.#label}: maxKeys (${this.capacity}) keys are held or awaited`,
      );
    }
    const entry = new LockEntry(key);
    this.#entries.set(key, entry);
    return entry;
  }

  #enqueue(
    entry: LockEntry<K>,
    section: CriticalSection | undefined,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (timeoutMs === 0) throw this.#failure('timeout');
    const queue = (entry.waiters ??= new WaiterQueue());
    if (queue.length >= this.#maxWaitersPerKey || this.#waiting >= this.#maxWaiters) {
      this.#rejected = increment(this.#rejected);
      throw new LifecycleError(
        LifecycleErrorCode.QUEUE_FULL,
        `${this.#label}: too many waiters (maxWaitersPerKey ${this.#maxWaitersPerKey}, maxWaiters ${this.#maxWaiters})`,
      );
    }
    this.#contended = increment(this.#contended);
    return new Promise((resolve, reject) => {
      const waiter = new LockWaiter(queue, this.#owner, section, resolve, reject);
      queue.push(waiter);
      this.#waiting++;
      waiter.arm(timeoutMs, signal);
    });
  }

  /** A lease was released: hand the key to the first waiter, or let the entry go idle. */
  #release(entry: LockEntry<K>): void {
    const next = entry.waiters?.first;
    if (next !== undefined) {
      this.#unqueue(next);
      this.#acquisitions = increment(this.#acquisitions);
      if (next.section === undefined) next.resolve(new LockLease(entry, this.#owner));
      else void this.#run(entry, next.section, next); // settles `next`; never rejects itself
      return;
    }
    this.#held--;
    if (this.idleMs === 0 || this.#closing.closing) {
      this.#entries.delete(entry.key);
      this.#dropped = increment(this.#dropped);
      return;
    }
    entry.held = false;
    entry.idleSince = this.#now();
  }

  #cancel(waiter: LockWaiter<K>, why: 'timeout' | 'abort', cause: unknown): void {
    // The entry stays: it is held, and its holder's release will drop it if nobody else waits.
    this.#unqueue(waiter);
    waiter.reject(this.#failure(why, cause));
  }

  #unqueue(waiter: LockWaiter<K>): void {
    waiter.queue.remove(waiter);
    waiter.disarm();
    this.#waiting--;
  }

  /**
   * Drops the idle entries that went idle at or before `cutoff`; returns how many went. A scan
   * of every entry, which keeps the hot path free of any second index: it runs once per sweep
   * interval, at close, or when `maxKeys` is reached with idle entries to spare. Held entries
   * (and so awaited ones) are skipped by construction.
   */
  #dropIdle(cutoff: number): number {
    let dropped = 0;
    for (const entry of this.#entries.values()) {
      if (entry.held || entry.idleSince > cutoff) continue;
      this.#entries.delete(entry.key);
      dropped++;
    }
    this.#dropped = increment(this.#dropped, dropped);
    return dropped;
  }

  /** Counts a timeout or an abort and builds its error. */
  #failure(why: 'timeout' | 'abort', cause?: unknown): LifecycleError {
    if (why === 'timeout') {
      this.#timeouts = increment(this.#timeouts);
      return new LifecycleError(LifecycleErrorCode.TIMEOUT, `${this.#label}: timed out waiting for a lock`);
    }
    this.#aborts = increment(this.#aborts);
    return new LifecycleError(LifecycleErrorCode.ABORTED, `${this.#label}: acquire aborted`, { cause });
  }
}
