import { systemClock, type Clock } from '../clock.js';
import { closedError } from '../errors.js';
import { CloseOnce } from '../internal/close-once.js';
import { increment } from '../internal/counter.js';
import { toError } from '../internal/errors.js';
import { Listeners } from '../internal/listeners.js';
import { MAX_DURATION_MS, OptionReader } from '../internal/options.js';
import { stderrLogger, type Logger } from '../logger.js';
import { PeriodicJob } from '../periodic-job.js';
import type { CleanupCallbackOptions, CleanupReport } from './cleanup-callback.js';
import { CleanupRunner } from './cleanup-runner.js';
import { forceGc, gcAvailable } from './force-gc.js';
import {
  levelFor,
  levelRank,
  maxLevel,
  resolveThresholds,
  type ConfiguredThresholds,
  type MemoryLevel,
  type MemoryMeasure,
  type MemoryThresholds,
} from './memory-level.js';
import type {
  ForcedGcResult,
  LevelChange,
  MemoryCheck,
  MemoryMonitorOptions,
  MemoryMonitorStats,
  MemorySample,
} from './memory-monitor-options.js';
import { readMemoryPressure, type MemoryPressure } from './pressure.js';
import { readMemory, type MemoryReading } from './read-memory.js';

const MAX_BYTES = 2 ** 52;

/**
 * Samples memory on an interval and turns it into a level (OK / WARNING / HIGH / CRITICAL).
 * At WARNING and above it runs the registered cleanup callbacks due at that level, in priority
 * order, with a cooldown between cleanups; at CRITICAL it tells callers to shed load until
 * memory is back under the cleanup threshold. Not a singleton: each owner creates one, and
 * `close()` drops every callback and listener (the seeds' monitor held callbacks forever).
 */
export class MemoryMonitor {
  readonly #configured: ConfiguredThresholds;
  readonly #measure: MemoryMeasure;
  readonly #cooldownMs: number;
  readonly #forceGc: 'auto' | 'off';
  readonly #gcMinFreedItems: number;
  readonly #pressureEnabled: boolean;
  readonly #pressureWarning: number;
  readonly #pressureHigh: number;
  readonly #historySize: number;
  readonly #cleanupHistorySize: number;
  readonly #read: () => MemoryReading;
  readonly #readPressure: () => MemoryPressure | null;
  readonly #runGc: () => ForcedGcResult | null;
  readonly #logger: Logger;
  readonly #now: Clock;
  readonly #runner: CleanupRunner;
  readonly #sampler: PeriodicJob;
  readonly #closing = new CloseOnce();
  readonly #closeController = new AbortController();
  readonly #levelListeners: Listeners<LevelChange>;
  readonly #cleanupListeners: Listeners<CleanupReport>;
  readonly #sampleListeners: Listeners<MemoryCheck>;

  #level: MemoryLevel = 'OK';
  #shedding = false;
  #current: MemoryReading | null = null;
  #thresholds: MemoryThresholds | null = null;
  #pressure: MemoryPressure | null = null;
  #history: MemorySample[] = [];
  #cleanups: CleanupReport[] = [];
  #cleanupInFlight: Promise<CleanupReport> | undefined;
  #samples = 0;
  #cleanupRuns = 0;
  #cleanupErrors = 0;
  #skippedByCooldown = 0;
  #gcCount = 0;
  #gcTotalPauseMs = 0;
  #gcLastPauseMs: number | null = null;
  #listenerErrors = 0;

  constructor(options?: MemoryMonitorOptions) {
    const read = new OptionReader('MemoryMonitor', options);
    const intervalMs = read.integer('intervalMs', { min: 10, max: MAX_DURATION_MS }, 30_000);
    this.#configured = {
      warning: read.optionalInteger('warningBytes', { min: 1, max: MAX_BYTES }),
      cleanup: read.optionalInteger('cleanupBytes', { min: 1, max: MAX_BYTES }),
      critical: read.optionalInteger('criticalBytes', { min: 1, max: MAX_BYTES }),
    };
    checkOrder(read, this.#configured);
    this.#measure = read.oneOf('measure', ['rss', 'heapUsed'], 'rss');
    this.#cooldownMs = read.integer('cooldownMs', { min: 0, max: MAX_DURATION_MS }, 60_000);
    const callbackTimeoutMs = read.integer('callbackTimeoutMs', { min: 1, max: MAX_DURATION_MS }, 10_000);
    const maxCallbacks = read.integer('maxCallbacks', { min: 1, max: 100_000 }, 1000);
    this.#forceGc = read.oneOf('forceGc', ['auto', 'off'], 'auto');
    this.#gcMinFreedItems = read.integer('gcMinFreedItems', { min: 0, max: Number.MAX_SAFE_INTEGER }, 1000);
    this.#pressureEnabled = read.boolean('pressure', true);
    this.#pressureWarning = read.number('pressureWarningPercent', { min: 0, max: 100 }, 20);
    this.#pressureHigh = read.number('pressureHighPercent', { min: 0, max: 100 }, 10);
    this.#historySize = read.integer('historySize', { min: 1, max: 100_000 }, 100);
    this.#cleanupHistorySize = read.integer('cleanupHistorySize', { min: 1, max: 10_000 }, 50);
    this.#read = read.function('read', () => readMemory());
    this.#readPressure = read.function('readPressure', () => readMemoryPressure());
    this.#runGc = read.function('runGc', defaultGc);
    this.#logger = read.object('logger', ['warn', 'error'], stderrLogger);
    this.#now = read.function('now', systemClock);
    const timers = read.timers();
    const autostart = read.boolean('autostart', true);

    const onListenerError = (error: unknown) => {
      this.#listenerErrors = increment(this.#listenerErrors);
      this.#logger.error({ err: toError(error) }, 'memory monitor listener failed');
    };
    this.#levelListeners = new Listeners(onListenerError);
    this.#cleanupListeners = new Listeners(onListenerError);
    this.#sampleListeners = new Listeners(onListenerError);
    this.#runner = new CleanupRunner({ maxCallbacks, timeoutMs: callbackTimeoutMs, logger: this.#logger });
    this.#sampler = new PeriodicJob({
      name: 'memory-monitor',
      intervalMs,
      run: () => this.checkNow(),
      logger: this.#logger,
      now: this.#now,
      timers,
      autostart,
      closeMode: 'await',
    });
  }

  /** Starts sampling every `intervalMs`; only needed with `autostart: false`. Throws `CLOSED` after `close()`. */
  start(): void {
    this.#sampler.start();
  }

  /** The level of the last sample ('OK' before the first). */
  get level(): MemoryLevel {
    return this.#level;
  }

  /** True from CRITICAL until memory is back under the cleanup threshold: refuse new work. */
  get shedding(): boolean {
    return this.#shedding;
  }

  /** Adds a named cleanup callback; returns the function that removes it. */
  registerCleanup(callback: CleanupCallbackOptions): () => void {
    if (this.#closing.closing) throw closedError('MemoryMonitor');
    return this.#runner.register(callback);
  }

  onLevelChange(listener: (change: LevelChange) => void): () => void {
    return this.#levelListeners.add(listener);
  }

  onCleanup(listener: (report: CleanupReport) => void): () => void {
    return this.#cleanupListeners.add(listener);
  }

  onSample(listener: (check: MemoryCheck) => void): () => void {
    return this.#sampleListeners.add(listener);
  }

  /** Takes a sample now, updates the level and, when due, runs a cleanup (awaited). */
  async checkNow(): Promise<MemoryCheck> {
    if (this.#closing.closing) throw closedError('MemoryMonitor');
    const reading = this.#read();
    const pressure = this.#pressureEnabled ? this.#readPressure() : null;
    const thresholds = resolveThresholds(this.#configured, reading);
    const previousLevel = this.#level;
    const measured = reading[this.#measure];
    const level = maxLevel(levelFor(measured, thresholds), this.#pressureLevel(pressure));

    this.#current = reading;
    this.#thresholds = thresholds;
    this.#pressure = pressure;
    this.#samples = increment(this.#samples);
    this.#record(reading, level);
    this.#level = level;
    if (level === 'CRITICAL') this.#shedding = true;
    else if (measured < thresholds.cleanup) this.#shedding = false;
    if (level !== previousLevel) this.#announceLevel(previousLevel, level, reading);

    const cleanup = this.#cleanupDue(level)
      ? await this.#startCleanup('level', `memory level ${level}`, level)
      : null;
    const check: MemoryCheck = { reading, pressure, level, previousLevel, cleanup };
    this.#sampleListeners.emit(check);
    return check;
  }

  /**
   * Runs every registered callback now, whatever the level and the cooldown (the admin's
   * "force memory cleanup"). Waits for a cleanup in progress first instead of overlapping it.
   */
  async forceCleanup(reason = 'manual'): Promise<CleanupReport> {
    if (this.#closing.closing) throw closedError('MemoryMonitor');
    if (this.#cleanupInFlight) await this.#cleanupInFlight;
    return this.#startCleanup('manual', reason, this.#level);
  }

  stats(): MemoryMonitorStats {
    return {
      status: this.#level,
      shedding: this.#shedding,
      current: this.#current,
      thresholds: this.#thresholds,
      pressure: this.#pressure,
      history: [...this.#history],
      samples: this.#samples,
      cleanup: {
        runs: this.#cleanupRuns,
        errors: this.#cleanupErrors,
        skippedByCooldown: this.#skippedByCooldown,
        running: this.#cleanupInFlight !== undefined,
        last: this.#cleanups.at(-1) ?? null,
        history: [...this.#cleanups],
        callbacks: this.#runner.stats(),
      },
      forcedGc: {
        count: this.#gcCount,
        totalPauseMs: this.#gcTotalPauseMs,
        lastPauseMs: this.#gcLastPauseMs,
      },
      listenerErrors: this.#listenerErrors,
    };
  }

  /**
   * Stops sampling, aborts a cleanup in progress (its callbacks see their signal abort) and
   * drops every callback and listener. Idempotent.
   */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      this.#closeController.abort(closedError('MemoryMonitor'));
      await this.#sampler.close();
      await this.#cleanupInFlight?.catch(() => undefined);
      this.#runner.clear();
      this.#levelListeners.clear();
      this.#cleanupListeners.clear();
      this.#sampleListeners.clear();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #pressureLevel(pressure: MemoryPressure | null): MemoryLevel {
    if (!pressure) return 'OK';
    if (pressure.full && pressure.full.avg10 >= this.#pressureHigh) return 'HIGH';
    if (pressure.some.avg10 >= this.#pressureWarning) return 'WARNING';
    return 'OK';
  }

  #record(reading: MemoryReading, level: MemoryLevel): void {
    const { at, rss, heapUsed, heapTotal, external, arrayBuffers } = reading;
    this.#history.push({ at, rss, heapUsed, heapTotal, external, arrayBuffers, level });
    if (this.#history.length > this.#historySize) this.#history.shift();
  }

  #announceLevel(from: MemoryLevel, to: MemoryLevel, reading: MemoryReading): void {
    const context = { from, to, rss: reading.rss, heapUsed: reading.heapUsed };
    if (levelRank(to) > levelRank(from)) this.#logger.warn(context, 'memory level rose');
    else this.#logger.info(context, 'memory level fell');
    this.#levelListeners.emit({ from, to, reading });
  }

  #cleanupDue(level: MemoryLevel): boolean {
    if (level === 'OK' || this.#cleanupInFlight || !this.#runner.hasCallbacksFor(level)) return false;
    const last = this.#cleanups.at(-1);
    const escalated = !last || levelRank(level) > levelRank(last.level) || last.trigger === 'manual';
    if (last && !escalated && this.#now() - last.at < this.#cooldownMs) {
      this.#skippedByCooldown = increment(this.#skippedByCooldown);
      return false;
    }
    return true;
  }

  #startCleanup(trigger: 'level' | 'manual', reason: string, level: MemoryLevel): Promise<CleanupReport> {
    const run = this.#cleanup(trigger, reason, level).finally(() => {
      this.#cleanupInFlight = undefined;
    });
    this.#cleanupInFlight = run;
    return run;
  }

  async #cleanup(trigger: 'level' | 'manual', reason: string, level: MemoryLevel): Promise<CleanupReport> {
    const at = this.#now();
    const started = performance.now();
    const aggressive = trigger === 'manual' || level === 'CRITICAL';
    const results = await this.#runner.runAll(
      { level, trigger, reason, aggressive },
      this.#closeController.signal,
    );
    const totalFreed = results.reduce((sum, r) => sum + r.freed, 0);
    const errors = results.filter((r) => !r.ok).length;
    const report: CleanupReport = {
      at,
      trigger,
      reason,
      level,
      durationMs: 0,
      totalFreed,
      errors,
      results,
    };
    const gc = this.#maybeForceGc(totalFreed, level);
    if (gc) report.gc = gc;
    report.durationMs = performance.now() - started;

    this.#cleanupRuns = increment(this.#cleanupRuns);
    this.#cleanupErrors = increment(this.#cleanupErrors, errors);
    this.#cleanups.push(report);
    if (this.#cleanups.length > this.#cleanupHistorySize) this.#cleanups.shift();
    this.#logger.info(
      { trigger, reason, level, totalFreed, errors, durationMs: report.durationMs },
      'memory cleanup ran',
    );
    this.#cleanupListeners.emit(report);
    return report;
  }

  /** SPEC: force a GC only off the request path, and only when it is likely to pay off. */
  #maybeForceGc(totalFreed: number, level: MemoryLevel): ForcedGcResult | undefined {
    if (this.#forceGc === 'off') return undefined;
    if (totalFreed < this.#gcMinFreedItems && levelRank(level) < levelRank('HIGH')) return undefined;
    try {
      const result = this.#runGc();
      if (!result) return undefined;
      this.#gcCount = increment(this.#gcCount);
      this.#gcTotalPauseMs += result.pauseMs;
      this.#gcLastPauseMs = result.pauseMs;
      return { pauseMs: result.pauseMs, freedBytes: result.freedBytes };
    } catch (error) {
      this.#logger.warn({ err: toError(error) }, 'forced GC after cleanup failed');
      return undefined;
    }
  }
}

function checkOrder(read: OptionReader, t: ConfiguredThresholds): void {
  const set = [t.warning, t.cleanup, t.critical].filter((v) => v !== undefined).length;
  // Mixing one configured threshold with derived ones can put them out of order unnoticed.
  if (set !== 0 && set !== 3)
    read.fail('warningBytes', 'set together with cleanupBytes and criticalBytes, or none of them');
  if (t.warning !== undefined && t.cleanup !== undefined && t.warning >= t.cleanup) {
    read.fail('warningBytes', 'below cleanupBytes');
  }
  if (t.cleanup !== undefined && t.critical !== undefined && t.cleanup >= t.critical) {
    read.fail('cleanupBytes', 'below criticalBytes');
  }
  if (t.warning !== undefined && t.critical !== undefined && t.warning >= t.critical) {
    read.fail('warningBytes', 'below criticalBytes');
  }
}

/** Forces a collection where this process can (checked at each call), else returns null. */
function defaultGc(): ForcedGcResult | null {
  return gcAvailable() ? forceGc() : null;
}
