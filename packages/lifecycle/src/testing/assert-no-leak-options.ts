import type { Interval } from './linear-fit.js';

/** The function under test; called with the 0-based number of calls made before it. */
export type LeakTestFunction = (iteration: number) => unknown;

export interface AssertNoLeakOptions {
  /**
   * Calls of `fn` between two heap readings, 1 to 10,000,000. Make it large enough that a leak of
   * a few bytes per call adds up to more than the heap's noise after GC (a few tens of KB).
   * @default 1000
   */
  iterations?: number;
  /**
   * Heap readings the line is fitted through, 3 to 10,000. The first is taken after warm-up, each
   * next one after `iterations` more calls, so `(samples - 1) × iterations` calls are measured.
   * More samples narrow the confidence interval; each costs a few full GCs.
   * @default 10
   */
  samples?: number;
  /**
   * Samples taken and discarded before the first reading, 0 to 10,000: batches of `iterations`
   * calls, each followed by forced GC, so that JIT compilation, lazy initialisation and caches
   * filling up are not mistaken for a leak. A bounded structure must reach its bound here.
   * @default 2
   */
  warmupSamples?: number;
  /**
   * The verdict threshold: the test fails only when the whole confidence interval of the growth
   * per call lies above it. 0 or more.
   * @default 16 (two array slots: any leaked object, closure or Map entry is larger)
   */
  maxBytesPerIteration?: number;
  /**
   * Growth over the measured calls that is always treated as noise, 0 or more: the threshold per
   * call is raised to `minTotalGrowthBytes / measured calls` when that is higher. It keeps a few
   * slow calls (where per-call noise is large) from failing on V8's own drift: code, feedback
   * and lazily built tables grow in steps of KBs.
   * @default 262144 (256 KiB: with the other defaults, the threshold is about 29 B per call)
   */
  minTotalGrowthBytes?: number;
  /**
   * Confidence level of the interval of the slope, from 0.5 to 0.999999. Higher means fewer false
   * alarms on noise and a larger leak needed to fail.
   * @default 0.99
   */
  confidence?: number;
  /** Names the test in the result and the error. @default fn.name, or 'anonymous function' */
  label?: string;
  /**
   * On failure, take a heap snapshot before and after one more batch of calls and name the object
   * types that grew. Costs about a second on a test's small heap, but tens of seconds and about
   * a GB of memory on a 100 MB heap (see heapDiff); turn it off for suites with large heaps.
   * @default true
   */
  heapDiff?: boolean;
}

/** One heap reading: the calls made so far and the heap in use after forced GC. */
export interface HeapSample {
  iteration: number;
  heapUsed: number;
}

/** What {@link assertNoLeak} measured; returned on success, carried by LeakDetectedError on failure. */
export interface LeakCheckResult {
  label: string;
  /** The fitted slope: heap growth in bytes per call of `fn`. */
  bytesPerIteration: number;
  /** The confidence interval of `bytesPerIteration` at `confidence`. */
  interval: Interval;
  confidence: number;
  /** What the interval's lower bound was compared with: max(maxBytesPerIteration, minTotalGrowthBytes / measured calls). */
  limitBytesPerIteration: number;
  /** Fitted growth over the measured calls: bytesPerIteration × measured calls. */
  growthBytes: number;
  /** How well a straight line explains the readings (1: perfectly). */
  r2: number;
  samples: HeapSample[];
  /** Calls of `fn` made, warm-up included. */
  iterations: number;
  /** Time spent warming up and measuring, in milliseconds. */
  durationMs: number;
}
