import { LifecycleError, type LifecycleErrorCode } from '../../src/errors.js';

/** A predicate for assert.throws / assert.rejects: a LifecycleError with this code. */
export function hasCode(code: LifecycleErrorCode): (error: unknown) => boolean {
  return (error) => error instanceof LifecycleError && error.code === code;
}
