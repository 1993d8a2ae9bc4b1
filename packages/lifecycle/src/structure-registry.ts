import { LifecycleError, LifecycleErrorCode, closedError } from './errors.js';
import { OptionReader } from './internal/options.js';

/**
 * Anything long-lived that holds entries: it reports its current size and, when bounded,
 * its capacity. The toolkit's own collections implement it.
 */
export interface MeasuredStructure {
  readonly name: string;
  readonly size: number;
  /** `undefined` for a structure bounded by something other than an entry count. */
  readonly capacity?: number | undefined;
}

/** One row of {@link StructureRegistry.snapshot}. */
export interface StructureSnapshot {
  name: string;
  size: number;
  capacity: number | null;
  /** size / capacity, or null when the structure has no capacity. */
  utilization: number | null;
}

export interface StructureRegistryOptions {
  /**
   * The most structures that can be registered at once; one more throws. A registry that
   * keeps growing means an owner forgets to unregister, which is itself a leak.
   * @default 10000
   */
  maxStructures?: number;
}

/**
 * Where every long-lived collection registers itself, so stats show which structure holds
 * what. Holds its structures strongly until they unregister; the toolkit's classes that take a
 * `structures` option register at construction and unregister in `close()`.
 */
export class StructureRegistry {
  readonly #structures = new Map<string, MeasuredStructure>();
  readonly #maxStructures: number;
  #closed = false;

  constructor(options?: StructureRegistryOptions) {
    const read = new OptionReader('StructureRegistry', options);
    this.#maxStructures = read.integer('maxStructures', { min: 1, max: 1_000_000 }, 10_000);
  }

  /**
   * Adds a structure under its (unique) name and returns the function that removes it.
   * Calling the returned function more than once, or after the registry closed, is harmless.
   */
  register(structure: MeasuredStructure): () => void {
    if (this.#closed) throw closedError('StructureRegistry');
    if (this.#structures.has(structure.name)) {
      throw new LifecycleError(
        LifecycleErrorCode.DUPLICATE_NAME,
        `StructureRegistry: a structure named "${structure.name}" is already registered`,
      );
    }
    if (this.#structures.size >= this.#maxStructures) {
      throw new LifecycleError(
        LifecycleErrorCode.LIMIT_REACHED,
        `StructureRegistry: maxStructures (${this.#maxStructures}) reached`,
      );
    }
    this.#structures.set(structure.name, structure);
    return () => {
      if (this.#structures.get(structure.name) === structure) this.#structures.delete(structure.name);
    };
  }

  /** Current size and capacity of every registered structure, sorted by name. */
  snapshot(): StructureSnapshot[] {
    const rows: StructureSnapshot[] = [];
    for (const s of this.#structures.values()) {
      const capacity = s.capacity ?? null;
      const size = s.size;
      rows.push({ name: s.name, size, capacity, utilization: capacity ? size / capacity : null });
    }
    return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The registry measures itself like any other structure. */
  get size(): number {
    return this.#structures.size;
  }

  stats(): { structures: number; maxStructures: number } {
    return { structures: this.#structures.size, maxStructures: this.#maxStructures };
  }

  /** Forgets every structure. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#structures.clear();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Registers `structure` when a registry is given and returns the matching unregister function
 * (a no-op otherwise): the one-liner every toolkit class uses in its constructor.
 */
export function registerStructure(
  registry: StructureRegistry | undefined,
  structure: MeasuredStructure,
): () => void {
  return registry ? registry.register(structure) : () => {};
}
