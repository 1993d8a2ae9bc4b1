export { manualClock } from '../../src/testing/manual-clock.js';
import assert from 'node:assert/strict';
import { InvalidOptionError, LifecycleErrorCode } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { TaskRegistry, type TaskRegistryOptions } from '../../src/task-registry.js';
import type { TaskSnapshot, TaskStatus } from '../../src/task-types.js';

/** A registry that logs nowhere unless the test passes a logger. */
export function registry<R = unknown>(options: TaskRegistryOptions<R> = {}): TaskRegistry<R> {
  return new TaskRegistry<R>({ logger: silentLogger, ...options });
}

/** The snapshot of a task that must be held. */
export function found<R>(tasks: TaskRegistry<R>, id: string): TaskSnapshot<R> {
  const lookup = tasks.lookup(id);
  assert.equal(lookup.state, 'found', `task ${id} should be held`);
  return (lookup as { task: TaskSnapshot<R> }).task;
}

/** The status of a held task; undefined for an expired or unknown id. */
export function statusOf<R>(tasks: TaskRegistry<R>, id: string): TaskStatus | undefined {
  const lookup = tasks.lookup(id);
  return lookup.state === 'found' ? lookup.task.status : undefined;
}

export function isInvalidOption(option: string) {
  return (error: unknown) =>
    error instanceof TypeError &&
    error instanceof InvalidOptionError &&
    error.code === LifecycleErrorCode.INVALID_OPTION &&
    error.option === option;
}
