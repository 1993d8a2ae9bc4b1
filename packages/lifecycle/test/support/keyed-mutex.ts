import { silentLogger } from '../../src/logger.js';

/** Options that keep a mutex's sweep errors out of the test output. */
export const quiet = { logger: silentLogger };

/** Tracks whether a promise has settled, without awaiting it (to prove a waiter still waits). */
export function watch<T>(promise: Promise<T>): { readonly settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => void (state.settled = true),
    () => void (state.settled = true),
  );
  return state;
}

/** An `assert.rejects` check: a LifecycleError with this code. */
