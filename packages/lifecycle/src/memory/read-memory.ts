import { getHeapStatistics } from 'node:v8';
import {
  detectContainerLimit,
  type ContainerLimitPaths,
  type ContainerLimitSource,
} from './container-limit.js';

/** One reading of the process's memory, in bytes. */
export interface MemoryReading {
  /** When it was taken (ms since the epoch). */
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's heap size limit (--max-old-space-size and friends). */
  heapLimit: number;
  /** The tightest container limit, or null when the process runs unconstrained. */
  containerLimit: number | null;
  containerLimitSource: ContainerLimitSource | null;
}

export interface ReadMemoryOptions extends ContainerLimitPaths {
  /** @default Date.now */
  now?: () => number;
}

/**
 * Reads process memory, V8's heap limit and the container limit (cgroup v2 `memory.max`,
 * v1 `memory.limit_in_bytes`, or `process.constrainedMemory()`; values >= 2^60 mean no limit).
 * Cheap enough to call every second: one memoryUsage() call and two small sysfs reads.
 */
export function readMemory(options: ReadMemoryOptions = {}): MemoryReading {
  const usage = process.memoryUsage();
  const limit = detectContainerLimit(options);
  return {
    at: (options.now ?? Date.now)(),
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    heapLimit: getHeapStatistics().heap_size_limit,
    containerLimit: limit?.bytes ?? null,
    containerLimitSource: limit?.source ?? null,
  };
}
