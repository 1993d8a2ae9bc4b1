import { PeriodicJob, type Clock, type Logger, type Timers } from '@steadystate/lifecycle';
import type { Bus } from './bus.js';
import { encodeSubjectToken } from './subject-token.js';

export interface ExchangeLeaseOptions {
  bus: Bus;
  exchange: string;
  logger: Logger;
  /** Called when this node has taken the lease. */
  onAcquired: () => void;
  /** Called when this node no longer holds it (lost, lapsed or released). */
  onLost: () => void;
  now: Clock;
  timers?: Timers;
}

/** What `/stats` shows of a lease this node holds. */
export interface HeldLease {
  exchange: string;
  /** When this node took it (ms since the epoch). */
  since: number;
  /** How long ago it was last renewed. */
  renewedAgoMs: number;
}

/**
 * The right to run one exchange's upstream adapter for the whole cluster: a key in the leases
 * bucket, created by whichever node gets there first and renewed by its holder every third of the
 * TTL with a compare-and-set on the revision it holds. The bucket's max age removes a key its
 * holder stopped renewing (a dead node), and any node may then create it again.
 *
 * A holder that cannot renew gives the lease up on its own side once three quarters of the TTL
 * have passed since its last renewal, before the key lapses on the server: two nodes never both
 * believe they hold it, even when the holder is cut off from NATS.
 */
export class ExchangeLease {
  readonly #o: ExchangeLeaseOptions;
  readonly #key: string;
  readonly #job: PeriodicJob;
  #revision: number | undefined;
  #since = 0;
  #renewedAt = 0;
  #closed = false;

  constructor(options: ExchangeLeaseOptions) {
    this.#o = options;
    this.#key = encodeSubjectToken(options.exchange);
    this.#job = new PeriodicJob({
      name: `cluster-lease.${options.exchange}`,
      intervalMs: Math.max(100, Math.floor(options.bus.config.leaseTtlMs / 3)),
      run: () => this.#step(),
      runOnStart: true,
      logger: options.logger,
      timers: options.timers,
      now: options.now,
      autostart: false,
    });
  }

  get held(): boolean {
    return this.#revision !== undefined;
  }

  start(): void {
    this.#job.start();
  }

  stats(): HeldLease | undefined {
    if (!this.held) return undefined;
    return { exchange: this.#o.exchange, since: this.#since, renewedAgoMs: this.#o.now() - this.#renewedAt };
  }

  /** Stops contending; a held lease is deleted so another node takes it at its next try. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#job.close();
    const revision = this.#revision;
    if (revision === undefined) return;
    this.#lose('released');
    if (this.#o.bus.connected) {
      await this.#o.bus.leases.delete(this.#key, { previousSeq: revision }).catch(() => {});
    }
  }

  async #step(): Promise<void> {
    if (this.#closed) return;
    const { bus, now } = this.#o;
    if (this.#revision === undefined) {
      if (!bus.connected) return;
      try {
        this.#revision = await bus.leases.create(this.#key, bus.config.nodeId);
      } catch {
        return; // Another node holds it.
      }
      this.#since = this.#renewedAt = now();
      bus.counters.leaseChanges++;
      this.#o.logger.info({ exchange: this.#o.exchange, node: bus.config.nodeId }, 'cluster lease taken');
      this.#o.onAcquired();
      return;
    }
    try {
      this.#revision = await bus.leases.update(
        this.#key,
        bus.config.nodeId,
        this.#revision,
        Math.floor(bus.config.leaseTtlMs / 4),
      );
      this.#renewedAt = now();
    } catch (error) {
      // Someone else wrote the key (it lapsed and was taken), or NATS did not answer in time.
      if (/wrong last sequence/i.test(String(error))) this.#lose('taken by another node');
      else if (now() - this.#renewedAt >= (bus.config.leaseTtlMs * 3) / 4) this.#lose('not renewed in time');
    }
  }

  #lose(reason: string): void {
    if (this.#revision === undefined) return;
    this.#revision = undefined;
    this.#o.bus.counters.leaseChanges++;
    const level = reason === 'released' ? 'info' : 'warn';
    this.#o.logger[level]({ exchange: this.#o.exchange, reason }, 'cluster lease given up');
    this.#o.onLost();
  }
}
