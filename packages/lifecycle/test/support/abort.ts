import { once } from 'node:events';

/**
 * Waits until `signal` aborts, then rejects with its reason: the body of a well-behaved task or
 * run that works until it is told to stop. Its listener goes once the signal fires.
 */
export async function untilAborted(signal: AbortSignal): Promise<never> {
  if (!signal.aborted) await once(signal, 'abort');
  throw signal.reason;
}
