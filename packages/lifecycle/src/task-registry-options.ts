import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { StructureRegistry } from './structure-registry.js';
import type { TaskSnapshot } from './task-types.js';
import type { SchedulingOptions } from './scheduling-options.js';

export interface TaskRegistryOptions<R> extends SchedulingOptions {
  /** Names the registry in logs, stats and the structure registry. @default 'tasks' */
  name?: string;
  /**
   * The most tasks running at once, 1 to 10,000; more wait in a FIFO queue.
   * @default 4
   */
  maxConcurrent?: number;
  /**
   * The most tasks waiting for a slot, 0 to 1,000,000; `start()` beyond it throws `QUEUE_FULL`.
   * 0 means no queue: a task starts at once or is refused.
   * @default 100
   */
  maxQueued?: number;
  /**
   * The most finished tasks (completed, failed, cancelled) kept for lookup, 0 to 1,000,000.
   * Beyond it the oldest finished task is dropped and its id answers `expired`. Running and
   * pending tasks are never dropped. Each retained task holds its result until it goes.
   * @default 1000
   */
  maxRetained?: number;
  /**
   * How long a finished task is kept after it finished, in milliseconds, before the sweep drops
   * it (its id then answers `expired`).
   * @default 3600000 (1 hour)
   */
  retentionMs?: number;
  /**
   * Milliseconds between sweeps of finished tasks older than `retentionMs`. The sweep walks
   * only the tasks it removes, so a short interval is cheap.
   * @default 300000 (5 minutes)
   */
  sweepIntervalMs?: number;
  /**
   * How many dropped ids are remembered so that they answer `expired` rather than `unknown`,
   * 1 to 10,000,000; the least recently looked-up go first. About 100 bytes each with
   * generated ids.
   * @default 10000
   */
  maxTombstones?: number;
  /**
   * After `cancel()`, how long a running task's function may take to settle before its slot is
   * given to the next task anyway, in milliseconds. The task is cancelled at once either way;
   * this only bounds how long a function that ignores its signal blocks the queue. Once the
   * slot is given up, that function may still be running beside `maxConcurrent` others.
   * @default 5000
   */
  cancelGraceMs?: number;
  /**
   * How long `close()` waits for running tasks to settle after aborting them, in milliseconds.
   * @default 5000
   */
  closeTimeoutMs?: number;
  /**
   * Called once when a task reaches a final status, with its snapshot (result included): the
   * place to log or persist it. A hook that throws is logged and counted; the registry goes on.
   */
  onSettled?: (task: TaskSnapshot<R>) => void;
  /**
   * When given, the registry registers itself (`name`) and its tombstones (`name.tombstones`)
   * at construction and unregisters both on close.
   */
  structures?: StructureRegistry;
  /** @default stderrLogger */
  logger?: Logger;
  /** Timestamps and the retention age. @default Date.now */
  now?: Clock;
}
