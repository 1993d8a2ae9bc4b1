// Collections
export { BoundedCache } from './bounded-cache.js';
export type {
  BoundedCacheOptions,
  BoundedCacheStats,
  DisposeReason,
  SetOptions,
} from './bounded-cache-options.js';
export { RingBuffer, type RingBufferOptions, type RingBufferStats } from './ring-buffer.js';
export {
  StructureRegistry,
  type MeasuredStructure,
  type StructureRegistryOptions,
  type StructureSnapshot,
} from './structure-registry.js';

// Concurrency and ownership
export { KeyedMutex } from './keyed-mutex.js';
export type {
  AcquireOptions as KeyedMutexAcquireOptions,
  KeyedLock,
  KeyedMutexOptions,
  KeyedMutexStats,
} from './keyed-mutex-options.js';
export { ResourceRegistry } from './resource-registry.js';
export type {
  AcquireOptions as ResourceAcquireOptions,
  CloseKeyOptions,
  CloseKeyResult,
  Lease,
  ResourceEntryInfo,
  ResourceFactory,
  ResourceFactoryContext,
  ResourceRegistryOptions,
  ResourceRegistryStats,
  ResourceState,
  SuspectedLeak,
} from './resource-registry-options.js';
export { TaskRegistry } from './task-registry.js';
export type { TaskRegistryOptions } from './task-registry-options.js';
export {
  TASK_STATUSES,
  type ListTasksOptions,
  type StartTaskOptions,
  type TaskContext,
  type TaskFunction,
  type TaskLookup,
  type TaskPage,
  type TaskProgress,
  type TaskRegistryStats,
  type TaskSnapshot,
  type TaskStatus,
  type TaskSummary,
} from './task-types.js';
export { PeriodicJob } from './periodic-job.js';
export type {
  PeriodicJobOptions,
  PeriodicJobStats,
  PeriodicRunContext,
  PeriodicRunOutcome,
} from './periodic-job-options.js';

// Memory
export { readMemory, type MemoryReading, type ReadMemoryOptions } from './memory/read-memory.js';
export {
  detectContainerLimit,
  type ContainerLimit,
  type ContainerLimitPaths,
  type ContainerLimitSource,
} from './memory/container-limit.js';
export {
  parseMemoryPressure,
  readMemoryPressure,
  type MemoryPressure,
  type PressureLine,
} from './memory/pressure.js';
export {
  enableGcAtRuntime,
  forceGc,
  gcAvailable,
  type ForceGcOptions,
  type ForceGcResult,
} from './memory/force-gc.js';
export { limitHeapGrowth, MAX_HEAP_GROWTH_PERCENT } from './memory/heap-growth.js';
export { GcObserver } from './memory/gc-observer.js';
export type {
  GcEntryLike,
  GcEvent,
  GcKind,
  GcKindStats,
  GcObserverOptions,
  GcObserverStats,
} from './memory/gc-observer-options.js';
export {
  HeapSnapshotWriter,
  type HeapSnapshotWriterOptions,
  type HeapSnapshotWriterStats,
} from './memory/heap-snapshot-writer.js';
export { MemoryMonitor } from './memory/memory-monitor.js';
export type {
  ForcedGcResult,
  LevelChange,
  MemoryCheck,
  MemoryMonitorOptions,
  MemoryMonitorStats,
  MemorySample,
} from './memory/memory-monitor-options.js';
export {
  MEMORY_LEVELS,
  type MemoryLevel,
  type MemoryMeasure,
  type MemoryThresholds,
} from './memory/memory-level.js';
export type {
  CleanupCallbackOptions,
  CleanupCallbackResult,
  CleanupCallbackStats,
  CleanupContext,
  CleanupOutcome,
  CleanupReport,
} from './memory/cleanup-callback.js';
export { LeakTracker } from './leak-tracker.js';
export type { LeakReport, LeakTrackerOptions, LeakTrackerStats } from './leak-tracker-options.js';

// Metrics
export { cumulativeCounter, type CounterSample } from './metrics/cumulative-counter.js';
export {
  registerLifecycleMetrics,
  type LifecycleMetrics,
  type LifecycleMetricsOptions,
} from './metrics/lifecycle-metrics.js';

// Composition
export { AsyncDisposableStack, SuppressedError } from './async-disposable-stack.js';
export { CloseStepError, closeStep, disposalErrors, disposeReporting } from './close-steps.js';
export { schedulingOf, type SchedulingOptions } from './scheduling-options.js';

// Foundations
export { increment as incrementCounter } from './internal/counter.js';
export { CloseOnce } from './internal/close-once.js';
export { Listeners } from './internal/listeners.js';
export { raceAbort } from './internal/race-abort.js';
export { seededRandom } from './seeded-random.js';
export {
  MAX_TIMER_MS,
  systemClock,
  systemClockSource,
  systemTimers,
  type Clock,
  type ClockSource,
  type TimerHandle,
  type Timers,
} from './clock.js';
export { InvalidOptionError, LifecycleError, LifecycleErrorCode } from './errors.js';
export { silentLogger, stderrLogger, type Logger } from './logger.js';
