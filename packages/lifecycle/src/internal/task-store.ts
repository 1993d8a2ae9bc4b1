import { BoundedCache } from '../bounded-cache.js';
import type { Logger } from '../logger.js';
import type { StructureRegistry } from '../structure-registry.js';
import {
  TASK_STATUSES,
  type ListTasksOptions,
  type TaskLookup,
  type TaskPage,
  type TaskStatus,
  type TaskSummary,
} from '../task-types.js';
import { OptionReader } from './options.js';
import { isFinished, releaseReferences, toSnapshot, toSummary, type TaskRecord } from './task-record.js';

const MAX_PAGE_SIZE = 1000;
const CURSOR = /^\d{1,15}$/;

interface TaskStoreOptions {
  name: string;
  maxRetained: number;
  maxTombstones: number;
  structures: StructureRegistry | undefined;
  logger: Logger;
}

/**
 * What a {@link TaskRegistry} holds and for how long: every task by id, the finished ones in
 * the order they finished (so that age and count limits drop the oldest first), and a bounded
 * set of tombstones for ids it dropped. Scheduling is the registry's business.
 */
export class TaskStore<R> {
  readonly #maxRetained: number;
  /** Every held task in creation order, which is also `seq` order. */
  readonly #tasks = new Map<string, TaskRecord<R>>();
  /** Retained finished tasks in finishing order. */
  readonly #finished = new Set<TaskRecord<R>>();
  /** Dropped id -> when it was dropped. */
  readonly #tombstones: BoundedCache<string, number>;

  constructor(options: TaskStoreOptions) {
    this.#maxRetained = options.maxRetained;
    this.#tombstones = new BoundedCache({
      capacity: options.maxTombstones,
      name: `${options.name}.tombstones`,
      structures: options.structures,
      logger: options.logger,
    });
  }

  get size(): number {
    return this.#tasks.size;
  }

  get retained(): number {
    return this.#finished.size;
  }

  get tombstones(): number {
    return this.#tombstones.size;
  }

  get maxTombstones(): number {
    return this.#tombstones.capacity;
  }

  get(id: string): TaskRecord<R> | undefined {
    return this.#tasks.get(id);
  }

  /** Holds a new task; an id that had expired is live again. */
  add(record: TaskRecord<R>): void {
    this.#tasks.set(record.id, record);
    this.#tombstones.delete(record.id);
  }

  lookup(id: string): TaskLookup<R> {
    const record = this.#tasks.get(id);
    if (record) return { state: 'found', task: toSnapshot(record) };
    const expiredAt = this.#tombstones.get(id);
    return expiredAt === undefined ? { state: 'unknown', id } : { state: 'expired', id, expiredAt };
  }

  /** Keeps a task that just finished, expiring the oldest beyond `maxRetained`; returns how many expired. */
  retain(record: TaskRecord<R>, now: number): number {
    this.#finished.add(record);
    let expired = 0;
    for (const oldest of this.#finished) {
      if (this.#finished.size <= this.#maxRetained) break;
      this.#expire(oldest, now);
      expired++;
    }
    return expired;
  }

  /** Expires every finished task that finished at least `retentionMs` before `now`; returns how many. */
  sweep(now: number, retentionMs: number): number {
    let expired = 0;
    for (const record of this.#finished) {
      // Finishing order is time order, so the first task young enough ends the walk.
      if (now - (record.finishedAt ?? now) < retentionMs) break;
      this.#expire(record, now);
      expired++;
    }
    return expired;
  }

  /** Forgets a task without a tombstone and drops what it references. */
  drop(record: TaskRecord<R>): void {
    // The id may already belong to a newer task if this record was dropped before.
    if (this.#tasks.get(record.id) === record) this.#tasks.delete(record.id);
    this.#finished.delete(record);
    releaseReferences(record);
  }

  /** Drops the result and error of every retained task; returns how many had one. */
  clearResults(filter?: (task: TaskSummary) => boolean): number {
    let cleared = 0;
    for (const record of this.#finished) {
      if (record.result === undefined && record.error === null) continue;
      if (filter && !filter(toSummary(record))) continue;
      record.result = undefined;
      record.error = null;
      record.resultCleared = true;
      cleared++;
    }
    return cleared;
  }

  /** Tasks still pending or running, oldest first. */
  unfinished(): TaskRecord<R>[] {
    return [...this.#tasks.values()].filter((r) => !isFinished(r.status));
  }

  countByStatus(): Record<TaskStatus, number> {
    const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    for (const record of this.#tasks.values()) counts[record.status]++;
    return counts;
  }

  /** One page, newest first. Walks every held task: O(size). */
  list(owner: string, options: ListTasksOptions | undefined): TaskPage {
    const read = new OptionReader(owner, options);
    const limit = read.integer('limit', { min: 1, max: MAX_PAGE_SIZE }, 50);
    const status =
      options?.status === undefined ? undefined : read.oneOf('status', TASK_STATUSES, options.status);
    const before = options?.cursor === undefined ? Infinity : parseCursor(read);
    const filter = read.optionalFunction<(task: TaskSummary) => boolean>('filter');
    const records = [...this.#tasks.values()];
    const tasks: TaskSummary[] = [];
    let lastSeq = 0;
    for (let i = records.length - 1; i >= 0; i--) {
      const record = records[i];
      if (!record || record.seq >= before || (status && record.status !== status)) continue;
      const summary = toSummary(record);
      if (filter && !filter(summary)) continue;
      if (tasks.length === limit) return { tasks, nextCursor: String(lastSeq) };
      tasks.push(summary);
      lastSeq = record.seq;
    }
    return { tasks, nextCursor: null };
  }

  /** Forgets every task and tombstone and unregisters the tombstones. */
  async close(): Promise<void> {
    for (const record of this.#tasks.values()) releaseReferences(record);
    this.#tasks.clear();
    this.#finished.clear();
    await this.#tombstones.close();
  }

  #expire(record: TaskRecord<R>, at: number): void {
    this.drop(record);
    this.#tombstones.set(record.id, at);
  }
}

function parseCursor(read: OptionReader): number {
  const raw = read.string('cursor');
  if (!CURSOR.test(raw)) read.fail('cursor', 'a cursor returned by list()');
  return Number(raw);
}
