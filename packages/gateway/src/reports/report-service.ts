import { GatewayError, GatewayErrorCode } from '../errors.js';
import { randomUUID } from 'node:crypto';
import {
  CloseOnce,
  KeyedMutex,
  PeriodicJob,
  incrementCounter,
  schedulingOf,
  systemClock,
  systemTimers,
  type Clock,
  type Logger,
  type SchedulingOptions,
  type Timers,
} from '@steadystate/lifecycle';
import type { MarketIndicesService } from '../indices/market-indices-service.js';
import { buildReport } from './report-builder.js';
import type { GeneratedReport } from './report-content.js';
import { isDatabaseRefusal, isRowRefusal, type ReportDatabase } from './report-database.js';
import type { ReportRepository } from './report-repository.js';
import type { PendingReports } from './pending-reports.js';

/**
 * The report job's state while it works, as the seed's workflow kept it. `report` holds the large
 * fields only between generation and the first save attempt: it is set to null after a successful
 * save and on every failure and retry path (the retries read the copy on disk).
 */
export interface ReportJobState {
  phase: 'idle' | 'generating' | 'saving' | 'retrying' | 'saved' | 'queued' | 'failed';
  reportId: string | null;
  attempts: number;
  lastError: string | null;
  report: GeneratedReport | null;
}

export interface ReportServiceOptions extends SchedulingOptions {
  database: ReportDatabase;
  repository: ReportRepository;
  pending: PendingReports;
  indices: MarketIndicesService;
  /** AUTO_REPORT_INTERVAL_HOURS, in ms. */
  intervalMs: number;
  /** Retries of a failed save before the report waits on disk for the flush job. */
  saveRetries: number;
  /** First retry delay; each later one doubles. @default 500 */
  retryBaseMs?: number;
  /** How often reports waiting on disk are retried. @default 5000 */
  flushIntervalMs?: number;
  logger: Logger;
  /** Creation times of reports. @default Date.now */
  now?: Clock;
}

/** What a generation ended in. */
export interface GenerationOutcome {
  id: string;
  status: 'saved' | 'queued';
}

/**
 * Market reports on a schedule and on demand: built from the indices, saved in one transaction,
 * retried with backoff, and, while the database is down, kept in a bounded queue on disk until it
 * comes back. Generations never overlap (the scheduled one and manual ones take turns).
 */
export class ReportService {
  readonly state: ReportJobState = {
    phase: 'idle',
    reportId: null,
    attempts: 0,
    lastError: null,
    report: null,
  };
  readonly scheduler: PeriodicJob;
  readonly flusher: PeriodicJob;
  readonly #o: ReportServiceOptions;
  readonly #now: Clock;
  readonly #timers: Timers;
  readonly #turns = new KeyedMutex<string>({ name: 'report-generation', maxWaitersPerKey: 4 });
  readonly #closing = new CloseOnce();
  /** Aborted at shutdown: a save retry waiting out its backoff stops waiting (the report stays on disk). */
  readonly #stopping = new AbortController();
  #migrated = false;
  #saved = 0;
  #failures = 0;

  constructor(options: ReportServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.scheduler = new PeriodicJob({
      name: 'auto-report',
      intervalMs: options.intervalMs,
      run: () => this.generate('auto'),
      // The large fields are dropped in generate()'s own finally; this makes sure of it.
      cleanup: () => void (this.state.report = null),
      logger: options.logger,
      ...schedulingOf(options),
    });
    this.flusher = new PeriodicJob({
      name: 'pending-reports',
      intervalMs: options.flushIntervalMs ?? 5000,
      run: () => this.flushPending(),
      logger: options.logger,
      ...schedulingOf(options),
    });
  }

  /** Starts the report schedule and the flush of reports waiting on disk; only needed with `autostart: false`. */
  start(): void {
    this.scheduler.start();
    this.flusher.start();
  }

  /**
   * Loads the queue on disk and runs the migrations. A database that is down at start is retried
   * by the flush job; one that refuses the configuration (see isDatabaseRefusal) fails the open.
   */
  async open(): Promise<void> {
    await this.#o.pending.open();
    try {
      await this.#migrate();
    } catch (error) {
      if (isDatabaseRefusal(error)) throw error;
      this.#o.logger.error(
        { err: error },
        'report database unavailable at start; reports wait on disk until it is back',
      );
    }
  }

  get migrated(): boolean {
    return this.#migrated;
  }

  /** Resolves once the schema is in place (migrating now if an earlier attempt failed). */
  ready(): Promise<void> {
    return this.#migrate();
  }

  /** Builds and saves a report now. Rejects with QUEUE_FULL (code) when several already wait their turn. */
  generate(kind: 'auto' | 'manual', owner: string | null = null): Promise<GenerationOutcome> {
    return this.#turns.withLock('generate', () => this.#generate(kind, owner));
  }

  /**
   * Saves the reports waiting on disk, oldest first, until the database cannot be reached.
   * Returns how many were saved. A report whose rows the database refuses is retried on later
   * flushes, then rejected (see PendingReports); the ones behind it go on meanwhile, and the
   * flush then fails naming how many were refused, so the job's stats show it.
   */
  async flushPending(): Promise<number> {
    const { pending } = this.#o;
    let saved = 0;
    let refused = 0;
    for (const id of pending.ids()) {
      const report = await pending.read(id);
      if (!report) continue;
      if (await this.#saveWaiting(report)) saved++;
      else refused++;
    }
    if (refused > 0) {
      const message = `the database refused ${refused} waiting report(s); saved ${saved}`;
      throw new GatewayError(GatewayErrorCode.REPORTS_REFUSED, message);
    }
    return saved;
  }

  stats() {
    return {
      database: this.#o.database.dialect,
      migrated: this.#migrated,
      saved: this.#saved,
      save_failures: this.#failures,
      pending: this.#o.pending.size,
      pending_capacity: this.#o.pending.capacity,
      pending_dropped: this.#o.pending.dropped,
      pending_rejected: this.#o.pending.rejected,
      state: {
        phase: this.state.phase,
        report_id: this.state.reportId,
        attempts: this.state.attempts,
        last_error: this.state.lastError,
        holds_content: this.state.report !== null,
      },
      scheduler: this.scheduler.stats(),
      flusher: this.flusher.stats(),
    };
  }

  /**
   * Ends a save retry's backoff now: its report waits on disk (POST /api/reports answers 202
   * queued) and the next flush or start saves it. Shutdown calls this before closing the HTTP
   * server, which waits for the request in progress.
   */
  interruptRetries(): void {
    this.#stopping.abort();
  }

  /** Stops the schedules and waits for a generation in progress (not for its backoff). Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      this.interruptRetries();
      await Promise.all([this.scheduler.close(), this.flusher.close()]);
      await this.#turns.close();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #generate(kind: 'auto' | 'manual', owner: string | null): Promise<GenerationOutcome> {
    const { indices, repository, pending, saveRetries, logger } = this.#o;
    const id = randomUUID();
    const state = this.state;
    Object.assign(state, { phase: 'generating', reportId: id, attempts: 0, lastError: null, report: null });
    try {
      const createdAt = this.#now();
      const built = buildReport({
        indices: indices.latest,
        history: indices.history.toArray(),
        generatedAt: createdAt,
      });
      state.report = { id, created_at: createdAt, kind, owner, ...built };
      state.phase = 'saving';
      try {
        state.attempts++;
        await this.#migrate();
        await repository.save(state.report);
        this.#saved = incrementCounter(this.#saved);
        state.phase = 'saved';
        return { id, status: 'saved' };
      } catch (error) {
        this.#failed(error);
        // From here on the copy on disk is the report; memory keeps only its id.
        await pending.add(state.report);
        state.report = null;
        state.phase = 'retrying';
      }
      for (let retry = 0; retry < saveRetries; retry++) {
        if (!(await this.#backOff((this.#o.retryBaseMs ?? 500) * 2 ** retry))) break;
        state.attempts++;
        try {
          if (await this.#saveQueued(id)) {
            state.phase = 'saved';
            return { id, status: 'saved' };
          }
        } catch (error) {
          this.#failed(error);
        }
      }
      state.phase = 'queued';
      logger.warn(
        { report: id, attempts: state.attempts },
        'report not saved yet; it waits on disk for the database',
      );
      return { id, status: 'queued' };
    } catch (error) {
      state.phase = 'failed';
      this.#failed(error);
      throw error;
    } finally {
      state.report = null;
    }
  }

  /**
   * Waits before a retry; false, at once, when the service is closing. On the service's timers,
   * like its schedules: the backoff is behaviour, not a guard against a hang.
   */
  #backOff(ms: number): Promise<boolean> {
    const signal = this.#stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const stop = () => {
        this.#timers.clearTimeout(timer);
        resolve(false);
      };
      const timer = this.#timers.setTimeout(() => {
        signal.removeEventListener('abort', stop);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  /**
   * Saves the queue, older reports first, and says whether report `id` is saved now. Throws
   * when the database cannot be reached.
   */
  async #saveQueued(id: string): Promise<boolean> {
    try {
      await this.flushPending();
    } catch (error) {
      if (this.#o.pending.has(id)) throw error;
    }
    return !this.#o.pending.has(id);
  }

  /**
   * Saves a report of the queue and forgets its file. False when the database refused its rows
   * (counted against the file); throws when the database cannot be reached.
   */
  async #saveWaiting(report: GeneratedReport): Promise<boolean> {
    const { pending, repository } = this.#o;
    await this.#migrate();
    try {
      await repository.save(report);
    } catch (error) {
      if (!isRowRefusal(error)) throw error;
      this.#failed(error);
      await pending.refused(report.id, error);
      return false;
    }
    await pending.saved(report.id);
    this.#saved = incrementCounter(this.#saved);
    return true;
  }

  async #migrate(): Promise<void> {
    if (this.#migrated) return;
    await this.#o.database.migrate();
    this.#migrated = true;
  }

  #failed(error: unknown): void {
    this.#failures = incrementCounter(this.#failures);
    this.state.lastError = error instanceof Error ? error.message : String(error);
    this.#o.logger.warn({ report: this.state.reportId, err: error }, 'report save failed');
  }
}
