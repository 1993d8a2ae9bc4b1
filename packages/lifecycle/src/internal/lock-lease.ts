import type { KeyedLock } from '../keyed-mutex-options.js';
import type { LockEntry, LockOwner } from './lock-entry.js';

/** A lock handed out by `acquire`. Only its first `release()` counts: a stale handle can never free a later holder. */
export class LockLease<K> implements KeyedLock<K> {
  readonly #entry: LockEntry<K>;
  readonly #owner: LockOwner<K>;
  #released = false;

  constructor(entry: LockEntry<K>, owner: LockOwner<K>) {
    this.#entry = entry;
    this.#owner = owner;
  }

  get key(): K {
    return this.#entry.key;
  }

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#owner.release(this.#entry);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
