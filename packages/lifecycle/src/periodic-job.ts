import { systemClock, type Clock, type TimerHandle, type Timers } from './clock.js';
import { LifecycleError, LifecycleErrorCode, closedError } from './errors.js';
import { CloseOnce } from './internal/close-once.js';
import { increment } from './internal/counter.js';
import { toError } from './internal/errors.js';
import { MAX_DURATION_MS, OptionReader } from './internal/options.js';
import { stderrLogger, type Logger } from './logger.js';
import type {
  PeriodicJobOptions,
  PeriodicJobStats,
  PeriodicRunContext,
  PeriodicRunOutcome,
} from './periodic-job-options.js';

export type { PeriodicJobOptions, PeriodicJobStats, PeriodicRunContext, PeriodicRunOutcome };

/**
 * Runs a function every interval and never lets two runs overlap: a tick that arrives while a
 * run is in progress is counted as skipped. Every run is followed by the cleanup hook in a
 * `finally`; errors are caught, logged and counted, so the loop never dies. The timer is
 * `unref()`ed and cleared by `close()`. Built with `autostart: false`, it schedules nothing until
 * `start()`, so an owner can build all its parts before any of them runs.
 */
export class PeriodicJob {
  readonly name: string;
  readonly intervalMs: number;
  readonly #run: PeriodicJobOptions['run'];
  readonly #cleanup: (() => unknown) | undefined;
  readonly #timeoutMs: number | undefined;
  readonly #closeMode: 'abort' | 'await';
  readonly #closeTimeoutMs: number;
  readonly #logger: Logger;
  readonly #now: Clock;
  readonly #timers: Timers;
  readonly #runOnStart: boolean;
  readonly #closing = new CloseOnce();
  #timer: TimerHandle | undefined;

  #current: { promise: Promise<PeriodicRunOutcome>; controller: AbortController } | undefined;
  #runs = 0;
  #failures = 0;
  #skipped = 0;
  #consecutiveSkipped = 0;
  #cleanupFailures = 0;
  #abortedByClose = 0;
  #lastDurationMs: number | null = null;
  #lastStartedAt: number | null = null;
  #lastFinishedAt: number | null = null;
  #lastError: string | null = null;

  constructor(options: PeriodicJobOptions) {
    const read = new OptionReader('PeriodicJob', options);
    this.name = read.string('name');
    this.intervalMs = read.integer('intervalMs', { min: 1, max: MAX_DURATION_MS });
    this.#run = read.function('run');
    this.#cleanup = read.optionalFunction('cleanup');
    this.#timeoutMs = read.optionalInteger('timeoutMs', { min: 1, max: MAX_DURATION_MS });
    this.#closeMode = read.oneOf('closeMode', ['abort', 'await'], 'abort');
    this.#closeTimeoutMs = read.integer('closeTimeoutMs', { min: 0, max: MAX_DURATION_MS }, 5000);
    this.#logger = read.object('logger', ['warn', 'error'], stderrLogger);
    this.#now = read.function('now', systemClock);
    this.#timers = read.timers();
    this.#runOnStart = read.boolean('runOnStart', false);
    if (read.boolean('autostart', true)) this.start();
  }

  /** True once the schedule runs (from construction, or from `start()` with `autostart: false`). */
  get started(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Starts the schedule (and the first run, with `runOnStart`). Only needed with
   * `autostart: false`; a second call does nothing. Throws `CLOSED` after `close()`.
   */
  start(): void {
    if (this.#closing.closing) throw closedError(`PeriodicJob "${this.name}"`);
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.setInterval(() => this.#tick(), this.intervalMs);
    if (this.#runOnStart) queueMicrotask(() => this.#tick());
  }

  /** True while a run is in progress. */
  get running(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Runs now, outside the schedule. If a run is already in progress, no second one starts:
   * the caller gets the outcome of the run in progress.
   */
  runNow(): Promise<PeriodicRunOutcome> {
    if (this.#closing.closing) return Promise.reject(closedError(`PeriodicJob "${this.name}"`));
    return this.#current?.promise ?? this.#start();
  }

  stats(): PeriodicJobStats {
    return {
      name: this.name,
      intervalMs: this.intervalMs,
      running: this.running,
      runs: this.#runs,
      failures: this.#failures,
      skipped: this.#skipped,
      consecutiveSkipped: this.#consecutiveSkipped,
      cleanupFailures: this.#cleanupFailures,
      abortedByClose: this.#abortedByClose,
      lastDurationMs: this.#lastDurationMs,
      lastStartedAt: this.#lastStartedAt,
      lastFinishedAt: this.#lastFinishedAt,
      lastError: this.#lastError,
    };
  }

  /**
   * Stops the schedule and deals with a run in progress as `closeMode` says, waiting at most
   * `closeTimeoutMs` for it. Idempotent: later calls get the same promise.
   */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
      const current = this.#current;
      if (!current) return;
      if (this.#closeMode === 'abort') current.controller.abort(closedError(`PeriodicJob "${this.name}"`));
      await settleWithin(current.promise, this.#closeTimeoutMs);
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #tick(): void {
    if (this.#closing.closing) return;
    if (this.#current) {
      this.#skipped = increment(this.#skipped);
      this.#consecutiveSkipped = increment(this.#consecutiveSkipped);
      this.#logger.warn(
        { job: this.name, consecutiveSkipped: this.#consecutiveSkipped },
        'periodic job still running at the next tick; tick skipped',
      );
      return;
    }
    // The outcome is recorded in stats; nothing awaits a scheduled run.
    void this.#start();
  }

  #start(): Promise<PeriodicRunOutcome> {
    const controller = new AbortController();
    // Deferred by a microtask so that `#current` is set before the run's first line executes:
    // a run that calls runNow() itself gets its own promise back instead of a second run.
    const promise = Promise.resolve().then(() => this.#execute(controller));
    this.#current = { promise, controller };
    return promise;
  }

  async #execute(controller: AbortController): Promise<PeriodicRunOutcome> {
    this.#runs = increment(this.#runs);
    this.#consecutiveSkipped = 0;
    this.#lastStartedAt = this.#now();
    const context: PeriodicRunContext = { signal: controller.signal, runNumber: this.#runs };
    const timeout = this.#armTimeout(controller);
    const started = performance.now();
    let outcome: PeriodicRunOutcome;
    try {
      await this.#run(context);
      outcome = { ok: true, durationMs: performance.now() - started };
      this.#lastError = null;
    } catch (thrown) {
      const error = toError(thrown);
      outcome = { ok: false, durationMs: performance.now() - started, error };
      if (this.#closing.closing && controller.signal.aborted) {
        // Stopped by close(): expected at every shutdown, so counted apart and not logged as an error.
        this.#abortedByClose = increment(this.#abortedByClose);
      } else {
        this.#failures = increment(this.#failures);
        this.#lastError = error.message;
        this.#logger.error({ job: this.name, err: error }, 'periodic job run failed');
      }
    } finally {
      if (timeout !== undefined) this.#timers.clearTimeout(timeout);
      await this.#runCleanup();
      this.#lastDurationMs = performance.now() - started;
      this.#lastFinishedAt = this.#now();
      this.#current = undefined;
    }
    return outcome;
  }

  #armTimeout(controller: AbortController): TimerHandle | undefined {
    if (this.#timeoutMs === undefined) return undefined;
    const limit = this.#timeoutMs;
    return this.#timers.setTimeout(() => {
      controller.abort(
        new LifecycleError(
          LifecycleErrorCode.TIMEOUT,
          `PeriodicJob "${this.name}" run exceeded timeoutMs (${limit} ms)`,
        ),
      );
    }, limit);
  }

  async #runCleanup(): Promise<void> {
    if (!this.#cleanup) return;
    try {
      await this.#cleanup();
    } catch (thrown) {
      this.#cleanupFailures = increment(this.#cleanupFailures);
      this.#logger.error({ job: this.name, err: toError(thrown) }, 'periodic job cleanup failed');
    }
  }
}

/** Waits for `promise` to settle, but never longer than `ms` of real time (a hang guard). */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([promise.then(noop, noop), limit]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}
