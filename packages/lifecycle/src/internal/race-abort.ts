import { toError } from './errors.js';

/**
 * `promise`, or a rejection as soon as `signal` aborts, whichever comes first: for waiting on work
 * that takes no AbortSignal itself (a ccxt call, a factory). The work runs on either way. The abort listener is
 * removed either way, so a long-lived signal passed to many calls collects no listeners. `abortError`
 * turns the abort into the error to reject with; by default the signal's reason.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  abortError: (signal: AbortSignal) => Error = (aborted) => toError(aborted.reason),
): Promise<T> {
  if (signal.aborted) {
    // The raced work runs on; its outcome is ignored but never left unhandled.
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toError(error));
      },
    );
  });
}
