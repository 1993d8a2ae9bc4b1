/**
 * Where a task stands. `pending` waits in the queue for a slot, `running` holds one; the other
 * three are final.
 */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Every status, in lifecycle order. */
export const TASK_STATUSES: readonly TaskStatus[] = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
];

/** What a task's function receives besides its signal. */
export interface TaskContext {
  /** The task's id, as `start()` returned it. */
  readonly id: string;
  /**
   * Reports how far the task has got, shown in its snapshot and in `list()`. `done` and `total`
   * are finite numbers >= 0 (an invalid one throws an `InvalidOptionError`); `message` is cut
   * to 1,000 characters. Calls after the task has finished or been cancelled are ignored.
   */
  progress(done: number, total?: number, message?: string): void;
}

/**
 * The work. `signal` aborts when the task is cancelled or the registry closes; a long task
 * should pass it on (to fetch, to timers) and stop soon after it fires.
 */
export type TaskFunction<R> = (signal: AbortSignal, context: TaskContext) => R | Promise<R>;

/** Per-task options of {@link TaskRegistry.start}. */
export interface StartTaskOptions {
  /**
   * The task's id, up to 128 characters. An id that a held task already uses is refused
   * (`DUPLICATE_NAME`); an expired id may be reused.
   * @default crypto.randomUUID()
   */
  id?: string;
  /** A short human-readable name, up to 256 characters, shown in snapshots and lists. @default null */
  label?: string;
  /**
   * Caller data kept with the task and shown in snapshots and lists (a scan's parameters, say).
   * Copied shallowly and frozen; the registry holds it as long as the task.
   * @default null
   */
  metadata?: Readonly<Record<string, unknown>>;
}

/** The last progress a task reported. */
export interface TaskProgress {
  done: number;
  total: number | null;
  message: string | null;
  updatedAt: number;
}

/** A task without its result or error, as `list()` returns it. */
export interface TaskSummary {
  id: string;
  label: string | null;
  metadata: Readonly<Record<string, unknown>> | null;
  status: TaskStatus;
  /** When `start()` accepted the task, by the registry's clock. */
  createdAt: number;
  /** When it got a slot; null while pending, and for a task cancelled before it started. */
  startedAt: number | null;
  /** When it reached a final status; null until then. */
  finishedAt: number | null;
  progress: TaskProgress | null;
  /** True once `clearAllResults()` dropped this task's result or error. */
  resultCleared: boolean;
}

/**
 * A task as `lookup()` finds it. `result` and `error` are the registry's own references, not
 * copies: read them, do not mutate them.
 */
export interface TaskSnapshot<R> extends TaskSummary {
  /** What the function returned, for a completed task whose result has not been cleared. */
  result: R | undefined;
  /** What the function threw (made an Error if it was not one), for a failed task. */
  error: Error | null;
}

/**
 * The answer of {@link TaskRegistry.lookup}: a held task, an id the registry dropped for age or
 * to make room (`expired`, e.g. HTTP 410), or an id it has never seen or no longer remembers
 * (`unknown`, e.g. HTTP 404).
 */
export type TaskLookup<R> =
  | { state: 'found'; task: TaskSnapshot<R> }
  | { state: 'expired'; id: string; expiredAt: number }
  | { state: 'unknown'; id: string };

/** Options of {@link TaskRegistry.list}. */
export interface ListTasksOptions {
  /** Tasks per page, 1 to 1,000. @default 50 */
  limit?: number;
  /** The `nextCursor` of the previous page; the first page when absent. */
  cursor?: string;
  /** Only tasks in this status. @default every status */
  status?: TaskStatus;
  /** Only the tasks it accepts (the tasks of one owner, by their metadata). @default every task */
  filter?: (task: TaskSummary) => boolean;
}

/** One page of {@link TaskRegistry.list}, newest task first. */
export interface TaskPage {
  tasks: TaskSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface TaskRegistryStats {
  name: string;
  /** Tasks held, in every status. */
  size: number;
  /** Held tasks by status. */
  byStatus: Record<TaskStatus, number>;
  /** Tasks waiting for a slot (the same as `byStatus.pending`). */
  queued: number;
  /** Slots taken: running tasks plus cancelled ones whose function has not settled yet. */
  slotsInUse: number;
  /** Finished tasks held (completed, failed, cancelled), capped by `maxRetained`. */
  retained: number;
  /** Expired ids remembered, capped by `maxTombstones`. */
  tombstones: number;
  maxConcurrent: number;
  maxQueued: number;
  maxRetained: number;
  maxTombstones: number;
  /** Tasks accepted by `start()`. */
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Finished tasks removed by the sweep for being older than `retentionMs`. */
  swept: number;
  /** Finished tasks removed early to keep at most `maxRetained`. */
  evicted: number;
  /** Cancelled tasks whose function outlived `cancelGraceMs` (or the close deadline) and lost their slot. */
  abandoned: number;
  /** `onSettled` calls that threw. */
  hookErrors: number;
  sweeps: number;
  lastSweepAt: number | null;
}
