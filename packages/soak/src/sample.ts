import type { CleanupEvent } from './cleanup-events.js';

/**
 * One reading of the target (and of the runner itself), taken once a second. Sizes are in MB
 * (2^20 bytes); a value the target did not give is null.
 */
export interface Sample {
  /** Seconds since the run started (monotonic clock). */
  readonly t: number;
  /** Wall-clock time, ms since the epoch. */
  readonly at: number;
  readonly rssMb: number | null;
  readonly hwmMb: number | null;
  readonly vmSizeMb: number | null;
  readonly threads: number | null;
  /** Voluntary plus non-voluntary context switches since the target started. */
  readonly ctxtSwitches: number | null;
  readonly heapUsedMb: number | null;
  readonly heapTotalMb: number | null;
  readonly externalMb: number | null;
  /** GC pause time per second of wall time since the previous sample, in ms. */
  readonly gcPauseMsPerSecond: number | null;
  /** Clients connected as the target counts them. */
  readonly targetClients: number | null;
  /** Clients of the load generator that are open. */
  readonly loadClients: number;
  readonly adapters: number | null;
  readonly symbols: number | null;
  readonly memoryStatus: string | null;
  /** The runner's own memory: it must stay flat too. */
  readonly runnerRssMb: number;
  readonly runnerHeapUsedMb: number;
}

export const MB = 1024 * 1024;

/**
 * An append-only list with a fixed capacity, for the samples and cleanup events of one run. Its
 * backing array is allocated for the whole run at construction, so the runner's own memory does
 * not step up each time a growing array would be copied into a larger one, and a run that
 * overstays cannot grow it.
 */
export class BoundedLog<T> {
  readonly capacity: number;
  /** Items refused because the log was full. */
  dropped = 0;
  readonly #slots: (T | undefined)[];
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedLog: capacity must be a whole number >= 1; received ${capacity}`);
    }
    this.capacity = capacity;
    this.#slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Appends `item`; returns false (and counts it as dropped) when full. */
  push(item: T): boolean {
    if (this.#size >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.#slots[this.#size++] = item;
    return true;
  }

  /** A copy of the items so far, oldest first. */
  get items(): readonly T[] {
    return this.#slots.slice(0, this.#size) as T[];
  }

  get size(): number {
    return this.#size;
  }
}

/** Everything the sampler recorded, for the analysis and the report. */
export interface Recording {
  readonly samples: BoundedLog<Sample>;
  readonly events: BoundedLog<CleanupEvent>;
  /** First, last and peak size of every structure the target registered. */
  readonly structures: ReadonlyMap<string, StructureTrack>;
}

export interface StructureTrack {
  first: number;
  last: number;
  peak: number;
}
