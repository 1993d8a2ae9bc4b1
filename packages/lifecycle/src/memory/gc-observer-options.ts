import type { Logger } from '../logger.js';
import type { StructureRegistry } from '../structure-registry.js';

/**
 * The kind of a collection, from the entry's `detail.kind`: `'major'` mark-compact of the whole
 * heap, `'minor'` scavenge of the young generation, `'incremental'` a step of incremental marking,
 * `'weakcb'` processing of weak callbacks, `'other'` a kind this Node version does not name.
 */
export type GcKind = 'major' | 'minor' | 'incremental' | 'weakcb' | 'other';

/** One observed collection, as listeners and {@link GcObserver.recent} see it. */
export interface GcEvent {
  kind: GcKind;
  pauseMs: number;
  /** When the collection started, in milliseconds since the epoch. */
  startedAt: number;
  /** True for a collection that was asked for (`gc()`, `forceGc()`), not one V8 chose. */
  forced: boolean;
  /** True when the pause reached `longPauseMs`. */
  long: boolean;
}

/**
 * The fields of a `'gc'` PerformanceEntry the observer reads. A real entry fits it; so does a
 * plain object, for a caller that feeds entries from its own observer.
 */
export interface GcEntryLike {
  /** Milliseconds since `performance.timeOrigin`. */
  readonly startTime: number;
  readonly duration: number;
  readonly detail?: unknown;
}

export interface GcObserverOptions {
  /**
   * How many of the latest collections {@link GcObserver.recent} keeps for dashboards; 1 to 10,000.
   * @default 100
   */
  recent?: number;
  /**
   * A pause at least this long (milliseconds) is a long pause; runs of them per kind feed the
   * alert "GC pause > 200 ms five times in a row".
   * @default 200
   */
  longPauseMs?: number;
  /**
   * The most listeners {@link GcObserver.onGc} accepts at once; one more throws `LIMIT_REACHED`.
   * Listeners are called on every collection, so a forgotten unsubscribe is both a leak and a cost.
   * @default 100
   */
  maxListeners?: number;
  /** Names the observer in logs and the structure registry. @default 'gc-observer' */
  name?: string;
  /** When given, the list of recent pauses registers at construction and unregisters on close. */
  structures?: StructureRegistry;
  /** Where a failing listener is reported. @default stderrLogger */
  logger?: Logger;
  /**
   * Start observing at construction. With `false`, nothing is observed until `start()`, so an
   * owner can build every part before any of them works.
   * @default true
   */
  autostart?: boolean;
}

/** Counters of one kind of collection. */
export interface GcKindStats {
  count: number;
  totalPauseMs: number;
  maxPauseMs: number;
  /** Long pauses of this kind since its last short pause. */
  consecutiveLongPauses: number;
}

export interface GcObserverStats {
  name: string;
  /** False once closed. */
  observing: boolean;
  /** Every entry of every batch, of every kind. */
  count: number;
  totalPauseMs: number;
  maxPauseMs: number;
  /** Collections that were asked for rather than chosen by V8. */
  forced: number;
  /** Pauses that reached `longPauseMs`, ever. */
  longPauses: number;
  /**
   * The longest current run of long pauses of one kind (the alert fires at 5). Counted per kind
   * because short scavenges run between the major collections of a struggling heap: one run across
   * all kinds would be reset by every scavenge and never reach the alert.
   */
  consecutiveLongPauses: number;
  longPauseMs: number;
  byKind: Record<GcKind, GcKindStats>;
  /** Pauses held for {@link GcObserver.recent}, at most the `recent` option. */
  recentSize: number;
  listeners: number;
  listenerErrors: number;
}
