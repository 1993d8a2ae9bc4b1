import { isPromiseLike } from './promise-like.js';

/**
 * Calls `fn` and hands its outcome to `onValue` or `onError`: at once when `fn` returns a plain value
 * or throws, after it settles when it returns a promise. Unlike `await`, a synchronous result stays
 * synchronous, so callers whose work is synchronous pay for no promise.
 */
export function callThen<T>(
  fn: () => T | PromiseLike<T>,
  onValue: (value: T) => void,
  onError: (thrown: unknown) => void,
): void {
  let result: T | PromiseLike<T>;
  try {
    result = fn();
  } catch (thrown) {
    onError(thrown);
    return;
  }
  if (isPromiseLike(result)) Promise.resolve(result).then(onValue, onError);
  else onValue(result);
}
