import type { MemoryReading } from './read-memory.js';

/** OK < WARNING < HIGH (cleanup) < CRITICAL, in that order. */
export const MEMORY_LEVELS = ['OK', 'WARNING', 'HIGH', 'CRITICAL'] as const;
export type MemoryLevel = (typeof MEMORY_LEVELS)[number];

export function levelRank(level: MemoryLevel): number {
  return MEMORY_LEVELS.indexOf(level);
}

export function maxLevel(a: MemoryLevel, b: MemoryLevel): MemoryLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

/** What the monitor measures against its thresholds. */
export type MemoryMeasure = 'rss' | 'heapUsed';

export interface MemoryThresholds {
  /** Bytes from which the level is WARNING. */
  warning: number;
  /** Bytes from which the level is HIGH and cleanups run. */
  cleanup: number;
  /** Bytes from which the level is CRITICAL and load is shed. */
  critical: number;
  /** 'explicit' when all three were configured, else where the derived ones came from. */
  source: 'explicit' | 'container-limit' | 'heap-limit';
}

/** Thresholds in bytes as configured; any left unset is derived from the tightest limit. */
export interface ConfiguredThresholds {
  warning?: number | undefined;
  cleanup?: number | undefined;
  critical?: number | undefined;
}

/**
 * Fills unset thresholds with 75% / 87.5% / 100% of the tightest limit the reading knows:
 * the container limit when there is one below V8's heap limit, else the heap limit.
 */
export function resolveThresholds(
  configured: ConfiguredThresholds,
  reading: MemoryReading,
): MemoryThresholds {
  const useContainer = reading.containerLimit !== null && reading.containerLimit < reading.heapLimit;
  const limit = useContainer ? (reading.containerLimit as number) : reading.heapLimit;
  const allSet =
    configured.warning !== undefined && configured.cleanup !== undefined && configured.critical !== undefined;
  return {
    warning: configured.warning ?? Math.round(limit * 0.75),
    cleanup: configured.cleanup ?? Math.round(limit * 0.875),
    critical: configured.critical ?? limit,
    source: allSet ? 'explicit' : useContainer ? 'container-limit' : 'heap-limit',
  };
}

export function levelFor(bytes: number, thresholds: MemoryThresholds): MemoryLevel {
  if (bytes >= thresholds.critical) return 'CRITICAL';
  if (bytes >= thresholds.cleanup) return 'HIGH';
  if (bytes >= thresholds.warning) return 'WARNING';
  return 'OK';
}
