import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CleanupReport, CleanupCallbackStats } from './cleanup-callback.js';
import type { MemoryLevel, MemoryMeasure, MemoryThresholds } from './memory-level.js';
import type { MemoryPressure } from './pressure.js';
import type { MemoryReading } from './read-memory.js';
import type { SchedulingOptions } from '../scheduling-options.js';

/** The result of one forced collection, as the monitor records it. */
export interface ForcedGcResult {
  pauseMs: number;
  freedBytes: number;
}

export interface MemoryMonitorOptions extends SchedulingOptions {
  /** Milliseconds between samples. @default 30000 */
  intervalMs?: number;
  /**
   * Bytes from which the level is WARNING. The three thresholds are set together or not at all.
   * @default 75% of the tightest limit (container limit, else V8's heap limit)
   */
  warningBytes?: number;
  /** Bytes from which the level is HIGH and cleanups run. @default 87.5% of the tightest limit */
  cleanupBytes?: number;
  /** Bytes from which the level is CRITICAL and load is shed. @default 100% of the tightest limit */
  criticalBytes?: number;
  /** What is compared with the thresholds. @default 'rss' */
  measure?: MemoryMeasure;
  /**
   * Least time between two cleanups the monitor starts by itself. A level higher than the last
   * cleanup's is not held back: memory that keeps rising gets its escalation at once.
   * @default 60000
   */
  cooldownMs?: number;
  /** Time budget of one cleanup callback; past it the callback's signal aborts and it counts as failed. @default 10000 */
  callbackTimeoutMs?: number;
  /** @default 1000 */
  maxCallbacks?: number;
  /**
   * Forced GC after a cleanup: 'auto' forces one (where GC can be forced) when the cleanup
   * freed at least `gcMinFreedItems` items or memory is at HIGH or above; 'off' never does.
   * Never on a request path: only here, at the end of a cleanup.
   * @default 'auto'
   */
  forceGc?: 'auto' | 'off';
  /** @default 1000 */
  gcMinFreedItems?: number;
  /**
   * React to Linux memory pressure (PSI): a `some avg10` at or above `pressureWarningPercent`
   * raises the level to at least WARNING, a `full avg10` at or above `pressureHighPercent` to at
   * least HIGH. Pressure alone never makes the level CRITICAL (that sheds load).
   * @default true where /proc/pressure/memory exists
   */
  pressure?: boolean;
  /** @default 20 */
  pressureWarningPercent?: number;
  /** @default 10 */
  pressureHighPercent?: number;
  /** Number of samples kept in the history. @default 100 */
  historySize?: number;
  /** Number of cleanup reports kept. @default 50 */
  cleanupHistorySize?: number;
  /** The memory reading source; tests inject one. @default readMemory */
  read?: () => MemoryReading;
  /** The PSI source. @default readMemoryPressure */
  readPressure?: () => MemoryPressure | null;
  /** How to force a collection; returns null where it cannot. @default forceGc where GC is exposed */
  runGc?: () => ForcedGcResult | null;
  /** @default stderrLogger */
  logger?: Logger;
  /** @default Date.now */
  now?: Clock;
}

/** One entry of the sample history. */
export interface MemorySample {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  level: MemoryLevel;
}

/** What checkNow() found. */
export interface MemoryCheck {
  reading: MemoryReading;
  pressure: MemoryPressure | null;
  level: MemoryLevel;
  previousLevel: MemoryLevel;
  /** The cleanup this check started, if any. */
  cleanup: CleanupReport | null;
}

export interface LevelChange {
  from: MemoryLevel;
  to: MemoryLevel;
  reading: MemoryReading;
}

export interface MemoryMonitorStats {
  status: MemoryLevel;
  /** True from CRITICAL until memory is back under the cleanup threshold. */
  shedding: boolean;
  current: MemoryReading | null;
  thresholds: MemoryThresholds | null;
  pressure: MemoryPressure | null;
  history: MemorySample[];
  samples: number;
  cleanup: {
    runs: number;
    errors: number;
    skippedByCooldown: number;
    running: boolean;
    last: CleanupReport | null;
    history: CleanupReport[];
    callbacks: CleanupCallbackStats[];
  };
  forcedGc: { count: number; totalPauseMs: number; lastPauseMs: number | null };
  listenerErrors: number;
}
