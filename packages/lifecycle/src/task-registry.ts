import { systemClock, type Clock } from './clock.js';
import { InvalidOptionError, LifecycleError, LifecycleErrorCode, closedError } from './errors.js';
import { callThen } from './internal/call-then.js';
import { AsyncDisposableStack } from './async-disposable-stack.js';
import { closeStep, disposeReporting } from './close-steps.js';
import { CloseOnce } from './internal/close-once.js';
import { increment } from './internal/counter.js';
import { toError } from './internal/errors.js';
import { MAX_DURATION_MS, OptionReader } from './internal/options.js';
import {
  isFinished,
  newRecord,
  readStartOptions,
  toProgress,
  toSnapshot,
  type TaskRecord,
} from './internal/task-record.js';
import { TaskSlots } from './internal/task-slots.js';
import { TaskStore } from './internal/task-store.js';
import { stderrLogger, type Logger } from './logger.js';
import { PeriodicJob } from './periodic-job.js';
import { registerStructure, type MeasuredStructure, type StructureRegistry } from './structure-registry.js';
import type { TaskRegistryOptions } from './task-registry-options.js';
import type {
  ListTasksOptions,
  StartTaskOptions,
  TaskContext,
  TaskFunction,
  TaskLookup,
  TaskPage,
  TaskRegistryStats,
  TaskSnapshot,
  TaskStatus,
  TaskSummary,
} from './task-types.js';

export type { TaskRegistryOptions };

/**
 * Runs background tasks with bounded concurrency and remembers their outcome for a while.
 *
 * `start(fn)` returns an id at once; the task runs when one of `maxConcurrent` slots is free,
 * waiting in a bounded FIFO queue until then. Its status, timestamps, progress, result and
 * error can be looked up by id until the task is dropped: by `cleanupTask()`, by the sweep once
 * it has been finished for `retentionMs`, or to keep at most `maxRetained` finished tasks. A
 * dropped id is remembered (up to `maxTombstones`) so that `lookup()` answers `expired`, not
 * `unknown`.
 *
 * `cancel()` marks a task `cancelled` at once. A pending task never runs; a running task's
 * signal aborts and the task keeps its slot until its function settles or `cancelGraceMs`
 * passes, after which the slot goes to the next task and whatever the function returns is
 * ignored. A function that ignores its signal therefore never blocks the queue for good, at
 * the cost of running beside the tasks that took its slot.
 */
export class TaskRegistry<R = unknown> implements MeasuredStructure {
  readonly name: string;
  /** The most tasks held at once: running, queued and retained. */
  readonly capacity: number;
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  readonly maxRetained: number;
  readonly retentionMs: number;
  readonly cancelGraceMs: number;
  readonly closeTimeoutMs: number;
  readonly #onSettled: TaskRegistryOptions<R>['onSettled'];
  readonly #logger: Logger;
  readonly #now: Clock;
  readonly #unregister: () => void;
  readonly #store: TaskStore<R>;
  readonly #slots: TaskSlots<R>;
  readonly #sweepJob: PeriodicJob;
  readonly #closing = new CloseOnce();
  #seq = 0;
  #started = 0;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #swept = 0;
  #evicted = 0;
  #hookErrors = 0;
  #sweeps = 0;
  #lastSweepAt: number | null = null;

  constructor(options?: TaskRegistryOptions<R>) {
    const read = new OptionReader('TaskRegistry', options);
    this.name = read.string('name', 'tasks');
    this.maxConcurrent = read.integer('maxConcurrent', { min: 1, max: 10_000 }, 4);
    this.maxQueued = read.integer('maxQueued', { min: 0, max: 1_000_000 }, 100);
    this.maxRetained = read.integer('maxRetained', { min: 0, max: 1_000_000 }, 1000);
    this.retentionMs = read.integer('retentionMs', { min: 0, max: MAX_DURATION_MS }, 3_600_000);
    const sweepIntervalMs = read.integer('sweepIntervalMs', { min: 1, max: MAX_DURATION_MS }, 300_000);
    const maxTombstones = read.integer('maxTombstones', { min: 1, max: 10_000_000 }, 10_000);
    this.cancelGraceMs = read.integer('cancelGraceMs', { min: 0, max: MAX_DURATION_MS }, 5000);
    this.closeTimeoutMs = read.integer('closeTimeoutMs', { min: 0, max: MAX_DURATION_MS }, 5000);
    this.#onSettled = read.optionalFunction('onSettled');
    const logger = read.object<Logger>('logger', ['warn', 'error'], stderrLogger);
    this.#logger = logger;
    this.#now = read.function('now', systemClock);
    const timers = read.timers();
    const autostart = read.boolean('autostart', true);
    const structures = read.optionalObject<StructureRegistry>('structures', ['register']);
    this.capacity = this.maxConcurrent + this.maxQueued + this.maxRetained;

    // Registered first: a duplicate name throws before anything that would need closing exists.
    this.#unregister = registerStructure(structures, this);
    try {
      const { name, maxRetained } = this;
      this.#store = new TaskStore({ name, maxRetained, maxTombstones, structures, logger });
    } catch (error) {
      this.#unregister();
      throw error;
    }
    const { maxConcurrent, maxQueued } = this;
    const onStart = (record: TaskRecord<R>) => this.#run(record);
    this.#slots = new TaskSlots({ name: this.name, maxConcurrent, maxQueued, logger, onStart });
    this.#sweepJob = new PeriodicJob({
      name: `${this.name}.sweep`,
      intervalMs: sweepIntervalMs,
      run: () => void this.sweep(),
      logger,
      now: this.#now,
      timers,
      autostart,
    });
  }

  /**
   * Starts the retention sweep; only needed with `autostart: false` (named apart from `start()`,
   * which starts a task). Throws `CLOSED` after `close()`.
   */
  startSweep(): void {
    this.#sweepJob.start();
  }

  /** Tasks held, in every status. */
  get size(): number {
    return this.#store.size;
  }

  /**
   * Accepts a task and returns its id. It runs at once if a slot is free, else waits in the
   * queue (status `pending`). The function is called in a later microtask, never inside
   * `start()`. Throws `QUEUE_FULL` when it would have to wait and the queue is full,
   * `DUPLICATE_NAME` for an id a held task uses, `CLOSED` after `close()`.
   */
  start(fn: TaskFunction<R>, options?: StartTaskOptions): string {
    if (this.#closing.closing) throw closedError(`TaskRegistry "${this.name}"`);
    const owner = `TaskRegistry "${this.name}" start`;
    if (typeof fn !== 'function') throw new InvalidOptionError(owner, 'fn', 'a function', fn);
    const { id, label, metadata } = readStartOptions(owner, options);
    if (this.#store.get(id)) {
      throw new LifecycleError(LifecycleErrorCode.DUPLICATE_NAME, `${owner}: task "${id}" already exists`);
    }
    const record = newRecord({ id, seq: ++this.#seq, label, metadata, createdAt: this.#now(), fn });
    this.#slots.admit(record, owner);
    this.#store.add(record);
    this.#started = increment(this.#started);
    return id;
  }

  /** The task with this id, or whether the id expired or was never known. */
  lookup(id: string): TaskLookup<R> {
    return this.#store.lookup(id);
  }

  /**
   * One page of held tasks, newest first, without results or errors. Costs a walk over every
   * held task (at most `capacity`), so keep it off hot paths.
   */
  list(options?: ListTasksOptions): TaskPage {
    return this.#store.list(`TaskRegistry "${this.name}" list`, options);
  }

  /**
   * Cancels a pending or running task; its status is `cancelled` from now on. Returns false
   * when the task is unknown or already finished. See the class notes for a running task.
   */
  cancel(id: string): boolean {
    const record = this.#store.get(id);
    if (!record || isFinished(record.status)) return false;
    this.#cancel(record, true);
    this.#slots.reclaimAfter(record, this.cancelGraceMs);
    return true;
  }

  /**
   * Drops a task and every reference to its function, controller, result and error; an
   * unfinished task is cancelled first. Its id then answers `unknown`. Returns false when no
   * such task is held.
   */
  cleanupTask(id: string): boolean {
    const record = this.#store.get(id);
    if (!record) return false;
    if (!isFinished(record.status)) {
      this.#cancel(record, false);
      this.#slots.reclaimAfter(record, this.cancelGraceMs);
    }
    this.#store.drop(record);
    return true;
  }

  /**
   * Drops the result and error of every finished task (the tasks stay), or of those `filter`
   * accepts; returns how many had one.
   */
  clearAllResults(filter?: (task: TaskSummary) => boolean): number {
    return this.#store.clearResults(filter);
  }

  /**
   * Drops every finished task older than `retentionMs` by the injected clock, as the periodic
   * sweep does; returns how many went.
   */
  sweep(): number {
    const now = this.#now();
    const removed = this.#store.sweep(now, this.retentionMs);
    this.#swept = increment(this.#swept, removed);
    this.#sweeps = increment(this.#sweeps);
    this.#lastSweepAt = now;
    return removed;
  }

  stats(): TaskRegistryStats {
    return {
      name: this.name,
      size: this.#store.size,
      byStatus: this.#store.countByStatus(),
      queued: this.#slots.queued,
      slotsInUse: this.#slots.inUse,
      retained: this.#store.retained,
      tombstones: this.#store.tombstones,
      maxConcurrent: this.maxConcurrent,
      maxQueued: this.maxQueued,
      maxRetained: this.maxRetained,
      maxTombstones: this.#store.maxTombstones,
      started: this.#started,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      swept: this.#swept,
      evicted: this.#evicted,
      abandoned: this.#slots.abandoned,
      hookErrors: this.#hookErrors,
      sweeps: this.#sweeps,
      lastSweepAt: this.#lastSweepAt,
    };
  }

  /**
   * Stops the sweep, cancels every pending and running task, waits up to `closeTimeoutMs` for
   * running functions to settle, then forgets every task and tombstone and unregisters.
   * Idempotent: later calls get the same promise.
   */
  close(): Promise<void> {
    return this.#closing.run(() => {
      // Pushed in reverse: the sweep stops first, the registration goes last.
      const steps = new AsyncDisposableStack();
      steps.defer(() => this.#unregister());
      steps.defer(closeStep('store', () => this.#store.close()));
      steps.defer(() => this.#cancelAll());
      steps.defer(closeStep('sweep', () => this.#sweepJob.close()));
      return disposeReporting(steps, (error) =>
        this.#logger.error({ registry: this.name, err: error }, 'task registry close step failed'),
      );
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #run(record: TaskRecord<R>): void {
    record.status = 'running';
    record.startedAt = this.#now();
    record.controller = new AbortController();
    // Deferred so that the caller of start() holds the id before any task code runs.
    queueMicrotask(() => void this.#execute(record));
  }

  async #execute(record: TaskRecord<R>): Promise<void> {
    const { fn, controller } = record;
    record.fn = undefined;
    try {
      // Cancelled between taking its slot and this microtask: the function is never called.
      if (record.status !== 'running' || !fn || !controller) return;
      const result = await fn(controller.signal, this.#contextFor(record));
      if (record.status === 'running') this.#settle(record, 'completed', result, null, true);
    } catch (thrown) {
      if (record.status === 'running') this.#settle(record, 'failed', undefined, toError(thrown), true);
    } finally {
      record.controller = undefined;
      this.#slots.release(record);
    }
  }

  #contextFor(record: TaskRecord<R>): TaskContext {
    return {
      id: record.id,
      progress: (done, total, message) => this.#progress(record, done, total, message),
    };
  }

  #progress(record: TaskRecord<R>, done: number, total?: number, message?: string): void {
    const owner = `TaskRegistry "${this.name}" task "${record.id}" progress`;
    const progress = toProgress(owner, done, total, message, this.#now());
    if (record.status === 'running') record.progress = progress;
  }

  /** Marks a task cancelled, takes it out of the queue and aborts its signal if it is running. */
  #cancel(record: TaskRecord<R>, retain: boolean, reason?: Error): void {
    const controller = record.controller;
    this.#slots.dequeue(record);
    this.#settle(record, 'cancelled', undefined, null, retain);
    controller?.abort(
      reason ?? new LifecycleError(LifecycleErrorCode.ABORTED, `task "${record.id}" was cancelled`),
    );
  }

  /** Moves a task to a final status; `retain` is false for a task about to be dropped anyway. */
  #settle(
    record: TaskRecord<R>,
    status: TaskStatus,
    result: R | undefined,
    error: Error | null,
    retain: boolean,
  ): void {
    record.status = status;
    record.finishedAt = this.#now();
    record.result = result;
    record.error = error;
    record.fn = undefined;
    if (status === 'completed') this.#completed = increment(this.#completed);
    else if (status === 'failed') this.#failed = increment(this.#failed);
    else this.#cancelled = increment(this.#cancelled);
    // Taken before retain(): with maxRetained 0 the record is dropped at once.
    const snapshot = this.#onSettled && toSnapshot(record);
    if (retain) this.#evicted = increment(this.#evicted, this.#store.retain(record, record.finishedAt));
    if (snapshot) this.#notify(snapshot);
  }

  /** Calls onSettled; a hook that throws, or returns a promise that rejects, is logged and counted. */
  #notify(snapshot: TaskSnapshot<R>): void {
    callThen<unknown>(
      () => this.#onSettled?.(snapshot),
      () => {},
      (thrown) => {
        this.#hookErrors = increment(this.#hookErrors);
        this.#logger.error(
          { registry: this.name, task: snapshot.id, err: toError(thrown) },
          'task onSettled hook failed',
        );
      },
    );
  }

  /** Cancels every pending and running task and waits for the running ones, within closeTimeoutMs. */
  async #cancelAll(): Promise<void> {
    const reason = closedError(`TaskRegistry "${this.name}"`);
    for (const record of this.#store.unfinished()) this.#cancel(record, false, reason);
    // One deadline for all, including tasks cancelled earlier with a longer grace.
    await this.#slots.drain(this.closeTimeoutMs);
  }
}
