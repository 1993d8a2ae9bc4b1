import {
  BoundedCache,
  incrementCounter,
  systemClock,
  type Clock,
  type Logger,
  type StructureRegistry,
} from '@steadystate/lifecycle';

export interface AuthFailuresOptions {
  /** Failed authentications from one address within `windowMs` that block it (AUTH_MAX_FAILURES). */
  maxFailures: number;
  /** How long failures are remembered (AUTH_FAILURE_WINDOW_SECONDS). */
  windowMs: number;
  /** How long a blocked address is refused (AUTH_BLOCK_SECONDS). */
  blockMs: number;
  /** Addresses remembered at most; the least recently seen go first. */
  capacity: number;
  structures: StructureRegistry;
  logger: Logger;
  now?: Clock;
}

interface AddressRecord {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

/**
 * Failed authentications per client address (api keys over WebSocket, tokens over HTTP). After
 * `maxFailures` in `windowMs` the address is blocked for `blockMs`: its attempts are refused
 * without being checked, so guessing costs time. Bounded: at most `capacity` addresses, each
 * forgotten once its window and block are over.
 */
export class AuthFailures {
  readonly #o: AuthFailuresOptions;
  readonly #now: Clock;
  readonly #byAddress: BoundedCache<string, AddressRecord>;
  failures = 0;
  blocks = 0;
  refused = 0;

  constructor(options: AuthFailuresOptions) {
    this.#o = options;
    this.#now = options.now ?? systemClock;
    this.#byAddress = new BoundedCache<string, AddressRecord>({
      capacity: options.capacity,
      name: 'auth-failures',
      ttlMs: options.windowMs + options.blockMs,
      structures: options.structures,
      logger: options.logger,
      now: this.#now,
    });
  }

  /** Seconds `address` remains blocked (0 when it may try). Counts the refusal. */
  blockedFor(address: string): number {
    const record = this.#byAddress.get(address);
    const left = record ? record.blockedUntil - this.#now() : 0;
    if (left <= 0) return 0;
    this.refused = incrementCounter(this.refused);
    return Math.ceil(left / 1000);
  }

  /** Records a failed attempt from `address`; blocks it when it reaches `maxFailures`. */
  failed(address: string): void {
    this.failures = incrementCounter(this.failures);
    const now = this.#now();
    const record = this.#byAddress.get(address);
    const current =
      record && now - record.windowStart < this.#o.windowMs
        ? record
        : { failures: 0, windowStart: now, blockedUntil: 0 };
    current.failures++;
    if (current.failures >= this.#o.maxFailures) {
      current.failures = 0;
      current.windowStart = now;
      current.blockedUntil = now + this.#o.blockMs;
      this.blocks = incrementCounter(this.blocks);
      this.#o.logger.warn(
        { address, blockMs: this.#o.blockMs },
        'address blocked after failed authentications',
      );
    }
    this.#byAddress.set(address, current);
  }

  stats() {
    return {
      failures: this.failures,
      blocks: this.blocks,
      refused: this.refused,
      addresses: this.#byAddress.size,
    };
  }

  close(): Promise<void> {
    return this.#byAddress.close();
  }
}
