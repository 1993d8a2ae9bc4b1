import { LifecycleError, LifecycleErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { increment } from './counter.js';
import type { TaskRecord } from './task-record.js';

interface TaskSlotsOptions<R> {
  name: string;
  maxConcurrent: number;
  maxQueued: number;
  logger: Logger;
  /** Called when a task gets a slot, at once from admit() or later from the queue. */
  onStart: (record: TaskRecord<R>) => void;
}

/**
 * The concurrency side of a {@link TaskRegistry}: `maxConcurrent` slots, a bounded FIFO queue
 * for tasks waiting for one, and grace timers that take a slot back from a cancelled task
 * whose function does not settle.
 */
export class TaskSlots<R> {
  readonly #name: string;
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #logger: Logger;
  readonly #onStart: (record: TaskRecord<R>) => void;
  /** FIFO: a Set iterates in insertion order, and cancelling from the middle is O(1). */
  readonly #queue = new Set<TaskRecord<R>>();
  readonly #held = new Set<TaskRecord<R>>();
  #draining = false;
  #whenIdle: (() => void) | undefined;
  #abandoned = 0;

  constructor(options: TaskSlotsOptions<R>) {
    this.#name = options.name;
    this.#maxConcurrent = options.maxConcurrent;
    this.#maxQueued = options.maxQueued;
    this.#logger = options.logger;
    this.#onStart = options.onStart;
  }

  get queued(): number {
    return this.#queue.size;
  }

  get inUse(): number {
    return this.#held.size;
  }

  /** Cancelled tasks that lost their slot because their function outlived the grace period. */
  get abandoned(): number {
    return this.#abandoned;
  }

  /**
   * Starts the task now if a slot is free and nobody waits, else queues it; throws
   * `QUEUE_FULL`, changing nothing, if it can do neither.
   */
  admit(record: TaskRecord<R>, owner: string): void {
    if (this.#queue.size === 0 && this.#held.size < this.#maxConcurrent) {
      this.#start(record);
      return;
    }
    if (this.#queue.size >= this.#maxQueued) {
      throw new LifecycleError(
        LifecycleErrorCode.QUEUE_FULL,
        `${owner}: ${this.#held.size} tasks running and ${this.#queue.size} waiting (maxQueued)`,
      );
    }
    this.#queue.add(record);
  }

  /** Takes a task out of the queue, if it waits there. */
  dequeue(record: TaskRecord<R>): void {
    this.#queue.delete(record);
  }

  /**
   * Gives the task's slot to the next one in `ms` unless its function settles first; does
   * nothing for a task without a slot. A later call replaces the deadline.
   */
  reclaimAfter(record: TaskRecord<R>, ms: number): void {
    if (!this.#held.has(record)) return;
    clearTimeout(record.graceTimer);
    record.graceTimer = setTimeout(() => this.#abandon(record, ms), ms);
    record.graceTimer.unref();
  }

  /** The task's function settled: its slot goes to the next waiting task. */
  release(record: TaskRecord<R>): void {
    clearTimeout(record.graceTimer);
    record.graceTimer = undefined;
    if (this.#held.delete(record)) this.#freed();
  }

  /**
   * Stops starting queued tasks and resolves once every slot is free, giving each holder at
   * most `ms` more. The caller cancels the tasks first.
   */
  async drain(ms: number): Promise<void> {
    this.#draining = true;
    for (const record of this.#held) this.reclaimAfter(record, ms);
    if (this.#held.size > 0) await new Promise<void>((resolve) => (this.#whenIdle = resolve));
    this.#whenIdle = undefined;
  }

  #start(record: TaskRecord<R>): void {
    this.#held.add(record);
    this.#onStart(record);
  }

  #abandon(record: TaskRecord<R>, graceMs: number): void {
    record.graceTimer = undefined;
    if (!this.#held.delete(record)) return;
    this.#abandoned = increment(this.#abandoned);
    this.#logger.warn(
      { registry: this.#name, task: record.id, graceMs },
      'cancelled task did not settle within its grace period; its slot was given up',
    );
    this.#freed();
  }

  #freed(): void {
    for (const next of this.#queue) {
      if (this.#draining || this.#held.size >= this.#maxConcurrent) break;
      this.#queue.delete(next);
      this.#start(next);
    }
    if (this.#held.size === 0) this.#whenIdle?.();
  }
}
