import type { MemoryLevel } from './memory-level.js';

/** What a cleanup callback is told when it runs. */
export interface CleanupContext {
  /** The level that triggered the cleanup (the current level for a manual one). */
  level: MemoryLevel;
  /** 'level' for a cleanup the monitor started, 'manual' for forceCleanup(). */
  trigger: 'level' | 'manual';
  reason: string;
  /** True at CRITICAL and for manual cleanups: free what you can, not just what is stale. */
  aggressive: boolean;
  /** Aborted when the callback exceeds its time budget or the monitor closes. */
  signal: AbortSignal;
}

/** A count of items freed, or a count with details for the cleanup history. */
export type CleanupOutcome = number | void | { freed: number; detail?: Record<string, unknown> };

export interface CleanupCallbackOptions {
  /** Unique among the monitor's callbacks; names the callback in history, stats and metrics. */
  name: string;
  /** Lower runs first. @default 100 */
  priority?: number;
  /** The lowest level at which the monitor runs this callback by itself. @default 'HIGH' */
  minLevel?: Exclude<MemoryLevel, 'OK'>;
  run: (context: CleanupContext) => CleanupOutcome | Promise<CleanupOutcome>;
}

/** How one callback fared in one cleanup. */
export interface CleanupCallbackResult {
  name: string;
  ok: boolean;
  freed: number;
  durationMs: number;
  detail?: Record<string, unknown>;
  error?: string;
}

/** One entry of the cleanup history. */
export interface CleanupReport {
  at: number;
  trigger: 'level' | 'manual';
  reason: string;
  level: MemoryLevel;
  durationMs: number;
  totalFreed: number;
  errors: number;
  results: CleanupCallbackResult[];
  /** Present when the cleanup ended with a forced GC. */
  gc?: { pauseMs: number; freedBytes: number };
}

/** Per-callback totals, for stats and metrics. */
export interface CleanupCallbackStats {
  name: string;
  priority: number;
  minLevel: Exclude<MemoryLevel, 'OK'>;
  runs: number;
  errors: number;
  freedTotal: number;
  lastDurationMs: number | null;
}
