export { trackTimers, type TimerTracker } from './timer-tracker.js';
export {
  assertNoLeak,
  type AssertNoLeakOptions,
  type HeapSample,
  type LeakCheckResult,
  type LeakTestFunction,
} from './assert-no-leak.js';
export { LeakDetectedError } from './leak-detected-error.js';
export { fitLine, slopeConfidenceInterval, type Interval, type LinearFit } from './linear-fit.js';
export { diffHeapCensus, heapDiff, type TypeGrowth } from './heap-diff.js';
export { readHeapCensus, type HeapCensus, type TypeCount } from './heap-census.js';
export { deferred, holdEventLoop, settle, waitFor } from './wait.js';
export { manualClock, type ManualClock } from './manual-clock.js';
export { collectGarbage } from './settle-heap.js';
