import type { Registry } from 'prom-client';
import type { BoundedCacheStats } from '../bounded-cache-options.js';
import type { LeakTracker } from '../leak-tracker.js';
import type { GcObserver } from '../memory/gc-observer.js';
import type { MemoryMonitor } from '../memory/memory-monitor.js';
import type { MemoryReading } from '../memory/read-memory.js';
import type { PeriodicJobStats } from '../periodic-job-options.js';
import type { StructureRegistry } from '../structure-registry.js';

export interface LifecycleMetricsOptions {
  /** The prom-client registry to register on. Required. */
  registry: Registry;
  /** Prefix of every metric name. @default 'steadystate_' */
  prefix?: string;
  /** Source of the level, threshold and cleanup metrics. */
  monitor?: MemoryMonitor;
  /**
   * Source of the GC pause histogram. When absent, one is created, owned and closed by
   * `close()`; pass the application's own to share one PerformanceObserver.
   */
  gcObserver?: GcObserver;
  /** The caches to report hits, misses, evictions and sizes of; read at every scrape. */
  caches?: () => Iterable<{ stats(): BoundedCacheStats }>;
  /** The periodic jobs to report runs, failures, skips and durations of; read at every scrape. */
  jobs?: () => Iterable<{ stats(): PeriodicJobStats }>;
  /** Every registered structure's size and capacity. */
  structures?: StructureRegistry;
  /** Resources tracked, and those collected without close() (leaks). */
  leakTracker?: LeakTracker;
  /** Memory reading source. @default readMemory */
  read?: () => MemoryReading;
}

/** What {@link registerLifecycleMetrics} returns: the teardown. */
export interface LifecycleMetrics {
  /** Names of the metrics it registered. */
  readonly names: readonly string[];
  /** Removes the metrics from the registry, unsubscribes from the monitor and closes an owned GC observer. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
