import type { StatsReading } from './gateway-probe.js';

/** The cleanup cycles the runner marks on the time axis. */
export const CLEANUP_KINDS = ['memory-cleanup', 'orphan-cleanup', 'adapter-teardown', 'task-sweep'] as const;
export type CleanupKind = (typeof CLEANUP_KINDS)[number];

/** Cleanups of one kind seen between two samples. */
export interface CleanupEvent {
  /** Seconds since the run started: the sample that saw them. */
  readonly t: number;
  readonly kind: CleanupKind;
  /** How many happened since the previous sample (a counter can move by more than one a second). */
  readonly count: number;
}

/** Each kind's counter in a stats reading. */
const COUNTERS: Record<CleanupKind, (s: StatsReading) => number | null> = {
  'memory-cleanup': (s) => s.cleanupRuns,
  'orphan-cleanup': (s) => s.orphanCleanupRuns,
  'adapter-teardown': (s) => s.adaptersClosed,
  'task-sweep': (s) => s.taskSweeps,
};

/**
 * The cleanups that happened between two stats readings: every counter that rose. A memory
 * cleanup also counts when `cleanup.last.at` changed with the run counter unchanged (the two
 * are read at slightly different moments by the target). Nothing is reported for the first
 * reading: counters that started before the run are not events of the run.
 */
export function cleanupEvents(t: number, previous: StatsReading | null, next: StatsReading): CleanupEvent[] {
  if (previous === null) return [];
  const events: CleanupEvent[] = [];
  for (const kind of Object.keys(COUNTERS) as CleanupKind[]) {
    const before = COUNTERS[kind](previous);
    const after = COUNTERS[kind](next);
    let count = before !== null && after !== null && after > before ? after - before : 0;
    if (
      kind === 'memory-cleanup' &&
      count === 0 &&
      next.cleanupLastAt !== null &&
      next.cleanupLastAt !== previous.cleanupLastAt
    ) {
      count = 1;
    }
    if (count > 0) events.push({ t, kind, count });
  }
  return events;
}
