export { BoundedCache } from './bounded-cache.js';
export type { BoundedCacheOptions, BoundedCacheStats, DisposeReason } from './bounded-cache-options.js';
export { systemClock, type Clock } from './clock.js';
export { InvalidOptionError, LifecycleError, LifecycleErrorCode } from './errors.js';
export { silentLogger, stderrLogger, type Logger } from './logger.js';
export { PeriodicJob } from './periodic-job.js';
export type {
  PeriodicJobOptions,
  PeriodicJobStats,
  PeriodicRunContext,
  PeriodicRunOutcome,
} from './periodic-job-options.js';
export {
  StructureRegistry,
  type MeasuredStructure,
  type StructureRegistryOptions,
  type StructureSnapshot,
} from './structure-registry.js';
