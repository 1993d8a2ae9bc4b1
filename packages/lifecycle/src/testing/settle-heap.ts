import { getHeapStatistics } from 'node:v8';
import { LifecycleError, LifecycleErrorCode } from '../errors.js';

/** Full collections for an ordinary reading; each after the first frees what finalizers let go. */
const GC_ROUNDS = 3;

/**
 * The `gc()` of `--expose-gc`, called without arguments. That form collects all available
 * garbage and also empties V8's internal caches (the number-to-string cache among them);
 * `gc({ type: 'major' })` does not, and the caches filling up then look like a leak of about
 * 25 bytes per distinct number turned into a string.
 *
 * Throws GC_UNAVAILABLE without `--expose-gc`: the flag is not turned on from here, since a
 * test helper must not flip V8 flags behind the suite's back.
 */
export function requireGc(owner: string): () => void {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') {
    throw new LifecycleError(
      LifecycleErrorCode.GC_UNAVAILABLE,
      `${owner} needs to force garbage collection: run node with --expose-gc (for example \`node --expose-gc --test\`)`,
    );
  }
  return () => gc();
}

/**
 * Collects garbage {@link GC_ROUNDS} times and returns the bytes still in use. Between collections one
 * turn of the event loop lets FinalizationRegistry callbacks, native weak callbacks and pending
 * promise jobs run, since what they release is only freed by the next GC. The answer is the
 * smallest reading after the second collection on: whatever else runs in those turns (a test
 * runner reporting, a stream flushing) can hold a transient 100 KB or so at any one reading,
 * while memory that is really retained shows in all of them.
 */
export async function settledHeapUsed(gc: () => void): Promise<number> {
  let smallest = Infinity;
  for (let round = 1; round <= GC_ROUNDS; round++) {
    gc();
    if (round > 1) smallest = Math.min(smallest, getHeapStatistics().used_heap_size);
    if (round < GC_ROUNDS) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return smallest;
}

/**
 * Full collections with a turn of the event loop between them, so finalizers run and what they
 * let go is freed too; resolves with the heap still in use. For tests that check an object is
 * gone (a FinalizationRegistry or LeakTracker report) or read a settled heap. Needs
 * `--expose-gc` (GC_UNAVAILABLE otherwise).
 */
export function collectGarbage(): Promise<number> {
  return settledHeapUsed(requireGc('collectGarbage'));
}
