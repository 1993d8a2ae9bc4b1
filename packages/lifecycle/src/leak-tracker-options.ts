import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { StructureRegistry } from './structure-registry.js';

/** A resource that was garbage-collected without being closed. */
export interface LeakReport {
  /** The label given to `track()`. */
  label: string;
  /** The frames that called `track()`; empty when `captureStacks` is off. */
  stack: string;
  /** When it was tracked, by the tracker's clock. */
  trackedAt: number;
  /** When the collection was noticed, some time after the resource became unreachable. */
  detectedAt: number;
}

export interface LeakTrackerOptions {
  /**
   * Record where each resource was tracked. The stack has to be formatted at `track()` time
   * (an unformatted trace would keep the resource reachable), which costs tens of microseconds per
   * call; turn it off for objects tracked at a high rate.
   * @default true
   */
  captureStacks?: boolean;
  /**
   * The most resources tracked at once. Past it, `track()` leaves new resources untracked (counted
   * in `overflows`, with one warning) rather than failing the caller: a diagnostic must never break
   * the code it watches.
   * @default 100_000
   */
  maxTracked?: number;
  /**
   * How many of the latest leaks {@link LeakTracker.recentLeaks} keeps; 0 keeps none (counters only).
   * @default 50
   */
  maxRecentLeaks?: number;
  /**
   * Called with every leak, after it is logged. A throw is caught, logged and counted.
   * @default undefined
   */
  onLeak?: (leak: LeakReport) => void;
  /** Names the tracker in logs, stats and the structure registry. @default 'leaks' */
  name?: string;
  /** When given, the tracker registers itself at construction and unregisters on close. */
  structures?: StructureRegistry;
  /** Leaks are reported with `logger.warn`. @default stderrLogger */
  logger?: Logger;
  /** Timestamps of reports. @default Date.now */
  now?: Clock;
}

export interface LeakTrackerStats {
  name: string;
  /** Resources tracked now, neither closed nor collected. */
  tracking: number;
  maxTracked: number;
  /** Every resource ever tracked. */
  tracked: number;
  /** Resources marked closed (or untracked) before being collected. */
  closed: number;
  /** Resources collected without being closed. */
  leaked: number;
  /** `track()` calls refused because `maxTracked` resources were tracked. */
  overflows: number;
  /** `onLeak` calls that threw. */
  onLeakErrors: number;
}
