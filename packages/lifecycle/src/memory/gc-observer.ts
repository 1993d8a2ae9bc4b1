import { PerformanceObserver, constants, type PerformanceObserverEntryList } from 'node:perf_hooks';
import { LifecycleError, LifecycleErrorCode, closedError } from '../errors.js';
import { CloseOnce } from '../internal/close-once.js';
import { increment } from '../internal/counter.js';
import { toError } from '../internal/errors.js';
import { Listeners } from '../internal/listeners.js';
import { MAX_DURATION_MS, OptionReader } from '../internal/options.js';
import { stderrLogger, type Logger } from '../logger.js';
import { registerStructure, type StructureRegistry } from '../structure-registry.js';
import type {
  GcEntryLike,
  GcEvent,
  GcKind,
  GcKindStats,
  GcObserverOptions,
  GcObserverStats,
} from './gc-observer-options.js';

export type { GcEntryLike, GcEvent, GcKind, GcKindStats, GcObserverOptions, GcObserverStats };

const KINDS: ReadonlyMap<number, GcKind> = new Map<number, GcKind>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

const ALL_KINDS: readonly GcKind[] = ['major', 'minor', 'incremental', 'weakcb', 'other'];

/**
 * Watches every garbage collection through a `'gc'` PerformanceObserver and keeps, per kind, the
 * count, total and longest pause, plus the latest pauses for dashboards. Node delivers GC entries
 * in batches; every entry of every batch is recorded (prom-client's GC metrics read only the first
 * entry of each batch and undercount under GC pressure, exactly when it matters).
 */
export class GcObserver {
  readonly name: string;
  readonly longPauseMs: number;
  readonly #capacity: number;
  readonly #maxListeners: number;
  /** Oldest first; pushed and shifted, never longer than #capacity. */
  readonly #recent: GcEvent[] = [];
  readonly #byKind = {} as Record<GcKind, GcKindStats>;
  readonly #listeners: Listeners<GcEvent>;
  readonly #logger: Logger;
  readonly #observer: PerformanceObserver;
  readonly #unregister: () => void;
  readonly #closing = new CloseOnce();
  #observing = false;
  #count = 0;
  #totalPauseMs = 0;
  #maxPauseMs = 0;
  #forced = 0;
  #longPauses = 0;
  #listenerErrors = 0;

  constructor(options?: GcObserverOptions) {
    const read = new OptionReader('GcObserver', options);
    this.#capacity = read.integer('recent', { min: 1, max: 10_000 }, 100);
    this.longPauseMs = read.number('longPauseMs', { min: 0, max: MAX_DURATION_MS }, 200);
    this.#maxListeners = read.integer('maxListeners', { min: 1, max: 10_000 }, 100);
    this.name = read.string('name', 'gc-observer');
    const structures = read.optionalObject<StructureRegistry>('structures', ['register']);
    this.#logger = read.object('logger', ['warn', 'error'], stderrLogger);
    const autostart = read.boolean('autostart', true);

    for (const kind of ALL_KINDS) {
      this.#byKind[kind] = { count: 0, totalPauseMs: 0, maxPauseMs: 0, consecutiveLongPauses: 0 };
    }
    this.#listeners = new Listeners((error) => {
      this.#listenerErrors = increment(this.#listenerErrors);
      this.#logger.error({ observer: this.name, err: toError(error) }, 'gc listener failed');
    });
    const recent = this.#recent;
    // Registered before observing: a duplicate name throws before any observer exists to leak.
    this.#unregister = registerStructure(structures, {
      name: this.name,
      capacity: this.#capacity,
      get size() {
        return recent.length;
      },
    });
    this.#observer = new PerformanceObserver((list) => this.#onBatch(list));
    if (autostart) this.start();
  }

  /** Starts observing; only needed with `autostart: false`. Throws `CLOSED` after `close()`. */
  start(): void {
    if (this.#closing.closing) throw closedError(`GcObserver "${this.name}"`);
    if (this.#observing) return;
    this.#observing = true;
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /**
   * Calls `listener` with every collection from now on (the place to feed a histogram). Returns
   * the function that unsubscribes. A listener that throws is logged and counted; the others and
   * the observer go on.
   * @throws LifecycleError `LIMIT_REACHED` beyond `maxListeners`, `CLOSED` after close().
   */
  onGc(listener: (event: GcEvent) => void): () => void {
    if (this.#closing.closing) throw closedError(`GcObserver "${this.name}"`);
    if (this.#listeners.size >= this.#maxListeners) {
      throw new LifecycleError(
        LifecycleErrorCode.LIMIT_REACHED,
        `GcObserver "${this.name}": maxListeners (${this.#maxListeners}) reached`,
      );
    }
    return this.#listeners.add(listener);
  }

  /**
   * Records one collection. The observer calls it for each entry it receives; it is public so a
   * caller that already runs its own `'gc'` PerformanceObserver can feed its entries instead.
   * Ignored once closed.
   */
  record(entry: GcEntryLike): void {
    if (this.#closing.closing) return;
    const { kind, forced } = readDetail(entry.detail);
    const pauseMs = Number.isFinite(entry.duration) && entry.duration > 0 ? entry.duration : 0;
    const long = pauseMs >= this.longPauseMs;
    const event: GcEvent = Object.freeze({
      kind,
      pauseMs,
      startedAt: performance.timeOrigin + entry.startTime,
      forced,
      long,
    });

    this.#count = increment(this.#count);
    this.#totalPauseMs = increment(this.#totalPauseMs, pauseMs);
    this.#maxPauseMs = Math.max(this.#maxPauseMs, pauseMs);
    if (forced) this.#forced = increment(this.#forced);
    if (long) this.#longPauses = increment(this.#longPauses);
    const perKind = this.#byKind[kind];
    perKind.count = increment(perKind.count);
    perKind.totalPauseMs = increment(perKind.totalPauseMs, pauseMs);
    perKind.maxPauseMs = Math.max(perKind.maxPauseMs, pauseMs);
    perKind.consecutiveLongPauses = long ? increment(perKind.consecutiveLongPauses) : 0;

    this.#recent.push(event);
    if (this.#recent.length > this.#capacity) this.#recent.shift();
    this.#listeners.emit(event);
  }

  /** The latest collections, oldest first; at most the `recent` option. */
  recent(): GcEvent[] {
    return this.#recent.slice();
  }

  stats(): GcObserverStats {
    const byKind = {} as Record<GcKind, GcKindStats>;
    let consecutiveLongPauses = 0;
    for (const kind of ALL_KINDS) {
      byKind[kind] = { ...this.#byKind[kind] };
      consecutiveLongPauses = Math.max(consecutiveLongPauses, byKind[kind].consecutiveLongPauses);
    }
    return {
      name: this.name,
      observing: this.#observing && !this.#closing.closing,
      count: this.#count,
      totalPauseMs: this.#totalPauseMs,
      maxPauseMs: this.#maxPauseMs,
      forced: this.#forced,
      longPauses: this.#longPauses,
      consecutiveLongPauses,
      longPauseMs: this.longPauseMs,
      byKind,
      recentSize: this.#recent.length,
      listeners: this.#listeners.size,
      listenerErrors: this.#listenerErrors,
    };
  }

  /** Disconnects the observer, drops listeners and recent pauses, unregisters. Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(() => {
      this.#observer.disconnect();
      this.#listeners.clear();
      this.#recent.length = 0;
      this.#unregister();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #onBatch(list: PerformanceObserverEntryList): void {
    for (const entry of list.getEntries()) this.record(entry);
  }
}

function readDetail(detail: unknown): { kind: GcKind; forced: boolean } {
  const { kind, flags } = (detail ?? {}) as { kind?: unknown; flags?: unknown };
  return {
    kind: (typeof kind === 'number' ? KINDS.get(kind) : undefined) ?? 'other',
    forced: typeof flags === 'number' && (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0,
  };
}
