import type { Logger } from '../logger.js';
import type { SuspectedLeak } from '../resource-registry-options.js';
import { formatCallSite } from './call-site.js';
import { increment } from './counter.js';
import type { LeaseRecord, ResourceEntry } from './resource-entry.js';

/**
 * Finds leases held longer than `maxLeaseMs`: each is reported once (a warning with the key and the
 * stack that acquired it) and listed for as long as it stays held. A long lease is only probably
 * leaked, so nothing is taken from its holder.
 */
export class LeaseAudit {
  readonly maxLeaseMs: number;
  readonly #registry: string;
  readonly #logger: Logger;
  #reported = 0;

  constructor(maxLeaseMs: number, registry: string, logger: Logger) {
    this.maxLeaseMs = maxLeaseMs;
    this.#registry = registry;
    this.#logger = logger;
  }

  /** Leases reported so far. */
  get reported(): number {
    return this.#reported;
  }

  /** Reports the leases that became overdue since the last check. */
  check<K, R>(entries: Iterable<ResourceEntry<K, R>>, now: number): void {
    for (const entry of entries) {
      for (const lease of entry.leases) {
        const heldMs = now - lease.acquiredAt;
        if (lease.reported || heldMs <= this.maxLeaseMs) continue;
        lease.reported = true;
        this.#reported = increment(this.#reported);
        this.#logger.warn(
          { registry: this.#registry, key: entry.id, heldMs, acquiredAt: leaseStack(lease) },
          'lease held longer than maxLeaseMs; probably leaked (never released)',
        );
      }
    }
  }

  /** The reported leases still held. */
  list<K, R>(entries: Iterable<ResourceEntry<K, R>>, now: number): SuspectedLeak<K>[] {
    const leaks: SuspectedLeak<K>[] = [];
    for (const { key, id, leases } of entries) {
      for (const lease of leases) {
        if (!lease.reported) continue;
        const { acquiredAt } = lease;
        leaks.push({ key, id, acquiredAt, heldMs: now - acquiredAt, stack: leaseStack(lease) });
      }
    }
    return leaks;
  }
}

/** Where the lease was acquired, without the registry's own acquire frame; empty when not captured. */
function leaseStack(lease: LeaseRecord): string {
  return lease.site ? formatCallSite(lease.site, 1) : '';
}
