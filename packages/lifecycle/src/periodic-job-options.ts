import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { SchedulingOptions } from './scheduling-options.js';

/** What one run of a {@link PeriodicJob} receives. */
export interface PeriodicRunContext {
  /** Aborted when the job closes or the run exceeds `timeoutMs`; long runs should pass it on. */
  signal: AbortSignal;
  /** 1 for the first run, counting every run (scheduled or manual). */
  runNumber: number;
}

/** `timers` schedules the interval and the run timeout. */
export interface PeriodicJobOptions extends SchedulingOptions {
  /** Names the job in logs, stats and metrics. Required. */
  name: string;
  /** Milliseconds between scheduled runs; 1 to 2^31 - 1. Required. */
  intervalMs: number;
  /** The work. A throw or rejection is caught, logged and counted; the schedule goes on. Required. */
  run: (context: PeriodicRunContext) => unknown;
  /**
   * Runs after every run in a `finally`, whether the run succeeded, failed or was aborted:
   * the place to drop references to large intermediate data. Its own errors are counted apart.
   */
  cleanup?: () => unknown;
  /**
   * Abort a run's signal, with a `LifecycleError` of code `TIMEOUT` as its reason, once the run
   * has lasted this long. The run is still awaited (the job never overlaps), so a run that
   * ignores its signal keeps the job busy and later ticks are skipped.
   * @default undefined (no timeout)
   */
  timeoutMs?: number;
  /**
   * Start the first run right after the schedule starts instead of one interval later.
   * @default false
   */
  runOnStart?: boolean;

  /**
   * What `close()` does with a run in progress: `'abort'` aborts its signal and then waits for it
   * to settle; `'await'` lets it finish. Either way the wait is capped by `closeTimeoutMs`.
   * @default 'abort'
   */
  closeMode?: 'abort' | 'await';
  /**
   * The longest `close()` waits for a run in progress before it resolves anyway.
   * @default 5000
   */
  closeTimeoutMs?: number;
  /** @default stderrLogger (warnings and errors only) */
  logger?: Logger;
  /** Timestamps in stats. @default Date.now */
  now?: Clock;
}

/** How one run ended, as {@link PeriodicJob.runNow} reports it. */
export interface PeriodicRunOutcome {
  ok: boolean;
  durationMs: number;
  error?: Error;
}

export interface PeriodicJobStats {
  name: string;
  intervalMs: number;
  running: boolean;
  runs: number;
  failures: number;
  /** Scheduled ticks that found the previous run still going. */
  skipped: number;
  /** Skipped ticks since the last run started: above 2 means the job cannot keep up. */
  consecutiveSkipped: number;
  cleanupFailures: number;
  /** Runs that ended with an error after close() aborted them; not counted as failures. */
  abortedByClose: number;
  lastDurationMs: number | null;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastError: string | null;
}
