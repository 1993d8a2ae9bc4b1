import type { LeaseRecord, ResourceEntry } from './resource-entry.js';

/**
 * Where a resource registry's entries live: the acquirable ones by id, least recently used first,
 * and the retiring ones (draining or closing) apart, so their keys can get fresh resources while
 * they finish. Keeps the count of leases held across both.
 */
export class ResourceTable<K, R> {
  /** Every lease and release moves an entry to the end, so iteration starts at the least recently used. */
  readonly #acquirable = new Map<string, ResourceEntry<K, R>>();
  readonly #retiring = new Set<ResourceEntry<K, R>>();
  #leases = 0;

  /** Acquirable entries (being created or ready). */
  get size(): number {
    return this.#acquirable.size;
  }

  get leases(): number {
    return this.#leases;
  }

  get(id: string): ResourceEntry<K, R> | undefined {
    return this.#acquirable.get(id);
  }

  add(entry: ResourceEntry<K, R>): void {
    this.#acquirable.set(entry.id, entry);
  }

  /** The idle entries (see {@link ResourceEntry.idle}) last used at or before `cutoff`. */
  idleSince(cutoff: number): ResourceEntry<K, R>[] {
    const idle: ResourceEntry<K, R>[] = [];
    for (const entry of this.#acquirable.values()) {
      if (entry.idle && entry.lastUsedAt <= cutoff) idle.push(entry);
    }
    return idle;
  }

  leastRecentlyUsedIdle(): ResourceEntry<K, R> | undefined {
    for (const entry of this.#acquirable.values()) if (entry.idle) return entry;
    return undefined;
  }

  /** Every entry: the acquirable ones, least recently used first, then the retiring ones. */
  *all(): Iterable<ResourceEntry<K, R>> {
    yield* this.#acquirable.values();
    yield* this.#retiring;
  }

  retiringCounts(): { draining: number; closing: number } {
    let draining = 0;
    for (const entry of this.#retiring) if (entry.state === 'draining') draining++;
    return { draining, closing: this.#retiring.size - draining };
  }

  lease(entry: ResourceEntry<K, R>, record: LeaseRecord): void {
    entry.leases.add(record);
    this.#leases++;
    this.touch(entry, record.acquiredAt);
  }

  /** False when the lease was already released or dropped. */
  release(entry: ResourceEntry<K, R>, record: LeaseRecord, now: number): boolean {
    if (!entry.leases.delete(record)) return false;
    this.#leases--;
    this.touch(entry, now);
    return true;
  }

  /** Forgets every lease on the entry (they become inert): it is being closed under them. */
  dropLeases(entry: ResourceEntry<K, R>): void {
    this.#leases -= entry.leases.size;
    entry.leases.clear();
  }

  /** Records use at `now` and moves an acquirable entry to the most recently used end. */
  touch(entry: ResourceEntry<K, R>, now: number): void {
    entry.lastUsedAt = now;
    if (this.#acquirable.get(entry.id) !== entry) return;
    this.#acquirable.delete(entry.id);
    this.#acquirable.set(entry.id, entry);
  }

  /** Moves the entry out of the acquirable ones; the next acquire of its key creates a fresh one. */
  retire(entry: ResourceEntry<K, R>, state: 'draining' | 'closing'): void {
    this.#removeAcquirable(entry);
    this.#retiring.add(entry);
    entry.state = state;
  }

  forget(entry: ResourceEntry<K, R>): void {
    this.#removeAcquirable(entry);
    this.#retiring.delete(entry);
  }

  #removeAcquirable(entry: ResourceEntry<K, R>): void {
    // Another entry may hold the id by now: the fresh resource created after this one retired.
    if (this.#acquirable.get(entry.id) === entry) this.#acquirable.delete(entry.id);
  }
}
