import { setTimeout as sleep } from 'node:timers/promises';

/** Lets pending promise callbacks, I/O callbacks and async-hook destroy events run. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Polls `predicate` every 5 ms until it holds, or throws after `timeoutMs` naming `what`. Each
 * poll settles first, so the polling timer is gone when a predicate counts live timers.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
    await settle();
  }
}

/** A promise with its resolve function outside, to hold work open until a test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Keeps the event loop alive until the returned function is called. The toolkit unref()s its
 * timers, so a test that waits only on them would otherwise end before they fire.
 */
export function holdEventLoop(): () => void {
  const timer = setInterval(() => {}, 60_000);
  return () => clearInterval(timer);
}
