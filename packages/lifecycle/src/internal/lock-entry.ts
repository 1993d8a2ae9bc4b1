/**
 * What waiters and leases call back into. The mutex implements it once, so no acquire needs a
 * closure of its own: a timer gets its waiter as the argument, and the abort listener is the
 * waiter itself (an EventListener object).
 */
export interface LockOwner<K> {
  /** The holder is done: hand the key to the first waiter or let the entry go idle. */
  release(entry: LockEntry<K>): void;
  /** Ends a wait that timed out or was aborted; `cause` is the signal's reason. */
  cancel(waiter: LockWaiter<K>, why: 'timeout' | 'abort', cause?: unknown): void;
}

/** The function a `withLock` call runs under the lock. */
export type CriticalSection = () => unknown;

/**
 * One key's lock. An entry exists while its key is held, awaited or idle. It is kept small
 * because the uncontended path creates one per acquire: the queue is made only when a second
 * acquirer arrives.
 */
export class LockEntry<K> {
  readonly key: K;
  held = true;
  /** When the entry last became idle, by the mutex's clock. */
  idleSince = 0;
  waiters: WaiterQueue<K> | undefined = undefined;

  constructor(key: K) {
    this.key = key;
  }
}

/**
 * The acquirers waiting for one held key, first come first served. Waiters only exist while the
 * key is held, because a release hands the key straight to the first one. A doubly linked list,
 * so that a waiter that times out or aborts leaves in O(1).
 */
export class WaiterQueue<K> {
  first: LockWaiter<K> | undefined = undefined;
  #last: LockWaiter<K> | undefined = undefined;
  length = 0;

  push(waiter: LockWaiter<K>): void {
    waiter.prev = this.#last;
    if (this.#last === undefined) this.first = waiter;
    else this.#last.next = waiter;
    this.#last = waiter;
    this.length++;
  }

  remove(waiter: LockWaiter<K>): void {
    if (waiter.prev === undefined) this.first = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.#last = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = undefined;
    this.length--;
  }
}

/**
 * An acquirer waiting for a held key: an `acquire` (resolved with a lease) or a `withLock`
 * (its `section` runs when the key is handed over, and it settles as the section does).
 */
export class LockWaiter<K> {
  readonly queue: WaiterQueue<K>;
  readonly section: CriticalSection | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly #owner: LockOwner<K>;
  prev: LockWaiter<K> | undefined = undefined;
  next: LockWaiter<K> | undefined = undefined;
  #timer: NodeJS.Timeout | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;

  constructor(
    queue: WaiterQueue<K>,
    owner: LockOwner<K>,
    section: CriticalSection | undefined,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ) {
    this.queue = queue;
    this.#owner = owner;
    this.section = section;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** Starts the timeout and listens to the signal, as the acquire asked. */
  arm(timeoutMs: number | undefined, signal: AbortSignal | undefined): void {
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(timeOut, timeoutMs, this);
      this.#timer.unref();
    }
    if (signal !== undefined) {
      this.#signal = signal;
      signal.addEventListener('abort', this);
    }
  }

  /** Stops the timer and the abort listener; called whichever way the wait ends. */
  disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this);
    this.#timer = this.#signal = undefined;
  }

  /** The abort listener. */
  handleEvent(): void {
    this.#owner.cancel(this, 'abort', this.#signal?.reason);
  }

  timedOut(): void {
    this.#owner.cancel(this, 'timeout');
  }
}

/** The timer callback: the waiter comes as the argument, so arming a timeout allocates no closure. */
function timeOut<K>(waiter: LockWaiter<K>): void {
  waiter.timedOut();
}
