/**
 * Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts,
 * whichever comes first. ccxt's calls take no AbortSignal; this lets a loop stop waiting for one
 * at once. The call itself runs on (its outcome is then ignored, never left unhandled), and the
 * abort listener is removed when the race settles.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(ignore);
    return Promise.reject(toError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toError(signal.reason));
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

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function ignore(): void {}
