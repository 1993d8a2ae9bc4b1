import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { StructureRegistry } from './structure-registry.js';
import type { SchedulingOptions } from './scheduling-options.js';

export interface KeyedMutexOptions extends SchedulingOptions {
  /** Names the mutex in errors, logs, stats and the structure registry. @default 'keyed-mutex' */
  name?: string;
  /**
   * How long an idle entry (a key nobody holds or awaits) is kept for reuse, in milliseconds.
   * With 0 an entry is dropped the moment its lock is released with nobody waiting, so memory
   * follows the number of keys in use and no sweep runs. Above 0, entries idle for at least this
   * long are dropped by a sweep every `sweepIntervalMs`: keys that come back reuse their entry
   * instead of inserting and deleting a map entry per acquire (measurably faster when the same
   * keys recur), at the cost of one clock reading per release and of idle entries held until the
   * sweep. Whatever its age, an entry that is held or awaited is never dropped.
   * @default 0
   */
  idleMs?: number;
  /**
   * Milliseconds between sweeps of idle entries; only with `idleMs` above 0. An idle entry lives
   * at most about `idleMs + sweepIntervalMs`.
   * @default idleMs
   */
  sweepIntervalMs?: number;
  /**
   * The most keys held, awaited or idle at once; 1 to 2^30. A new key beyond it first drops every
   * idle entry, and fails with `LIMIT_REACHED` when every entry is held or awaited (most likely
   * locks that are never released).
   * @default 100000
   */
  maxKeys?: number;
  /**
   * The most acquirers waiting for one key; one more fails with `QUEUE_FULL`.
   * 0 makes every acquire of a held key fail at once.
   * @default 1000
   */
  maxWaitersPerKey?: number;
  /**
   * The most acquirers waiting over all keys; one more fails with `QUEUE_FULL`. Each waiter
   * holds a promise, its caller's continuation and possibly a timer.
   * @default 100000
   */
  maxWaiters?: number;
  /** When given, the mutex registers itself at construction and unregisters on close. */
  structures?: StructureRegistry;
  /** Receives errors of the idle sweep. @default stderrLogger */
  logger?: Logger;
  /** Time source for idle ages, in milliseconds; read only when `idleMs` is above 0. @default Date.now */
  now?: Clock;
}

/** Options of one {@link KeyedMutex.acquire} or {@link KeyedMutex.withLock} call. */
export interface AcquireOptions {
  /**
   * Give up waiting after this many milliseconds and reject with `TIMEOUT`; 0 fails at once
   * when the key is held (a try-lock). A timer is created only for an acquire that has to wait.
   * @default undefined (wait as long as it takes)
   */
  timeoutMs?: number;
  /** Give up waiting when this signal aborts, rejecting with `ABORTED` (the reason as `cause`). */
  signal?: AbortSignal;
}

/**
 * A held lock. Releasing it hands the key to the next waiter, in arrival order; when that waiter
 * is a `withLock` call, its section starts before `release()` returns. `release()` is idempotent,
 * and `[Symbol.dispose]` calls it, so `using lock = await mutex.acquire(key)` releases at the end
 * of the block.
 */
export interface KeyedLock<K> extends Disposable {
  readonly key: K;
  /** True once `release()` was called. */
  readonly released: boolean;
  release(): void;
}

export interface KeyedMutexStats {
  name: string;
  /** Entries: keys held, awaited or idle. */
  keys: number;
  /** Keys currently held. */
  held: number;
  /** Idle entries kept for reuse (always 0 with `idleMs` 0). */
  idle: number;
  /** Acquirers currently waiting, over all keys. */
  waiting: number;
  /** Locks granted. */
  acquisitions: number;
  /** Acquires that found the key held and had to wait. */
  contended: number;
  timeouts: number;
  aborts: number;
  /** Acquires refused because a queue was full or `maxKeys` was reached. */
  rejected: number;
  /** Entries removed: released with nobody waiting (`idleMs` 0), swept, or deleted. */
  dropped: number;
}
