import { setFlagsFromString } from 'node:v8';
import { InvalidOptionError } from '../errors.js';

/** The largest growth {@link limitHeapGrowth} accepts: V8's own heuristics never go past 300%. */
export const MAX_HEAP_GROWTH_PERCENT = 300;

/**
 * Caps how far V8 lets the old generation grow past what survived the last full collection
 * before it collects again: to `percent` (20 means the next full GC comes at 1.2 times the live
 * heap). Without it, a process that allocates fast on a machine with a large heap limit lets the
 * heap grow to up to four times its live size, and RSS follows: a gateway with 90 MB of live
 * heap held about 390 MB of heap at 14,000 ticks a second (docs/benchmarks.md). The price is
 * more frequent full collections, so more GC time: measure it with a soak before and after.
 *
 * It sets V8's `--heap-growing-percent` at run time with `v8.setFlagsFromString`, which Node
 * documents as possibly unpredictable after start-up; V8 reads this flag afresh each time it
 * sizes the heap after a collection, so it takes effect from the next one. Done at run time
 * rather than on the command line because `NODE_OPTIONS` refuses the flag, and a process entry
 * point reaches every way the process is started. It applies to the whole process: call it
 * once, from the entry point, never from a library. 0 restores V8's own heuristics.
 */
export function limitHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > MAX_HEAP_GROWTH_PERCENT) {
    throw new InvalidOptionError(
      'limitHeapGrowth',
      'percent',
      `an integer from 0 to ${MAX_HEAP_GROWTH_PERCENT}`,
      percent,
    );
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
