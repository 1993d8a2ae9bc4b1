import { InvalidOptionError } from '../errors.js';
import { toError } from '../internal/errors.js';
import { OptionReader } from '../internal/options.js';
import type {
  AssertNoLeakOptions,
  HeapSample,
  LeakCheckResult,
  LeakTestFunction,
} from './assert-no-leak-options.js';
import { heapDiff, type TypeGrowth } from './heap-diff.js';
import { LeakDetectedError } from './leak-detected-error.js';
import { fitLine, slopeConfidenceInterval } from './linear-fit.js';
import { requireGc, settledHeapUsed } from './settle-heap.js';
import { isPromiseLike } from '../internal/promise-like.js';

export type { AssertNoLeakOptions, HeapSample, LeakCheckResult, LeakTestFunction };

const OWNER = 'assertNoLeak';
/** Object types named in a failure report. */
const TOP_TYPES = 10;

interface Settings {
  iterations: number;
  samples: number;
  warmupSamples: number;
  maxBytesPerIteration: number;
  minTotalGrowthBytes: number;
  confidence: number;
  label: string;
  heapDiff: boolean;
}

/**
 * Fails when `fn` leaks memory. Runs `fn` (sync or async, awaited one call at a time) in batches
 * of `iterations` calls; after warm-up and after each batch it forces GC until the heap is stable
 * and reads the heap in use. It fits a least-squares line through the readings and fails only
 * when the whole confidence interval of the slope (bytes per call) lies above the limit: the
 * noise of a function that does not leak (steps of a few KB as V8 compiles code) widens the
 * interval instead of failing the test.
 *
 * On failure it throws a {@link LeakDetectedError} whose message holds the slope, the total
 * growth, the readings and (with `heapDiff`) the ten object types that grew most over one more
 * batch. On success it returns the measurements, for the caller to log.
 *
 * Needs `gc()`: run node with `--expose-gc`, or it throws a GC_UNAVAILABLE error. An error thrown
 * by `fn` while measuring is rethrown as is.
 *
 * @example
 * await assertNoLeak((i) => cache.set(`key-${i}`, i), { iterations: 10_000 });
 */
export async function assertNoLeak(
  fn: LeakTestFunction,
  options?: AssertNoLeakOptions,
): Promise<LeakCheckResult> {
  if (typeof fn !== 'function') throw new InvalidOptionError(OWNER, 'fn', 'a function', fn);
  const settings = readSettings(fn, options);
  const gc = requireGc(OWNER);
  const started = performance.now();
  let iteration = 0;
  const runBatch = async (): Promise<void> => {
    for (const end = iteration + settings.iterations; iteration < end; iteration++) {
      const returned = fn(iteration);
      // Awaiting only real promises keeps a sync fn free of a microtask per call.
      if (isPromiseLike(returned)) await returned;
    }
  };

  for (let batch = 0; batch < settings.warmupSamples; batch++) {
    await runBatch();
    // Discarded, but not skipped: in a fresh process the first batch run after a forced GC lets
    // go of a few hundred KB held since start-up, and that drop belongs in the warm-up.
    await settledHeapUsed(gc);
  }
  const samples: HeapSample[] = [{ iteration, heapUsed: await settledHeapUsed(gc) }];
  while (samples.length < settings.samples) {
    await runBatch();
    samples.push({ iteration, heapUsed: await settledHeapUsed(gc) });
  }
  const result = judge(samples, settings, iteration, performance.now() - started);
  if (result.interval.lower <= result.limitBytesPerIteration) return result;

  let growth: TypeGrowth[] = [];
  let diffError: Error | undefined;
  if (settings.heapDiff) {
    try {
      growth = await heapDiff(async () => {
        await runBatch();
        await settledHeapUsed(gc);
      }, TOP_TYPES);
    } catch (thrown) {
      diffError = toError(thrown);
    }
  }
  throw new LeakDetectedError(result, growth, diffError);
}

function judge(
  samples: HeapSample[],
  settings: Settings,
  iterations: number,
  durationMs: number,
): LeakCheckResult {
  const fit = fitLine(
    samples.map((s) => s.iteration),
    samples.map((s) => s.heapUsed),
  );
  const measured = (settings.samples - 1) * settings.iterations;
  return {
    label: settings.label,
    bytesPerIteration: fit.slope,
    interval: slopeConfidenceInterval(fit, settings.confidence),
    confidence: settings.confidence,
    limitBytesPerIteration: Math.max(settings.maxBytesPerIteration, settings.minTotalGrowthBytes / measured),
    growthBytes: fit.slope * measured,
    r2: fit.r2,
    samples,
    iterations,
    durationMs,
  };
}

function readSettings(fn: LeakTestFunction, options: AssertNoLeakOptions | undefined): Settings {
  const read = new OptionReader(OWNER, options);
  const bytes = { min: 0, max: Number.MAX_SAFE_INTEGER };
  return {
    iterations: read.integer('iterations', { min: 1, max: 10_000_000 }, 1000),
    samples: read.integer('samples', { min: 3, max: 10_000 }, 10),
    warmupSamples: read.integer('warmupSamples', { min: 0, max: 10_000 }, 2),
    maxBytesPerIteration: read.number('maxBytesPerIteration', bytes, 16),
    minTotalGrowthBytes: read.number('minTotalGrowthBytes', bytes, 256 * 1024),
    confidence: read.number('confidence', { min: 0.5, max: 0.999999 }, 0.99),
    label: read.string('label', fn.name || 'anonymous function'),
    heapDiff: read.boolean('heapDiff', true),
  };
}
