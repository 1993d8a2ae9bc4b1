import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LifecycleError, LifecycleErrorCode } from '../errors.js';
import { OptionReader } from '../internal/options.js';

/** What {@link forceGc} accepts. */
export interface ForceGcOptions {
  /**
   * `true` runs a full (major, mark-compact) collection of the whole heap; `false` only a minor
   * one (a scavenge of the young generation), which is much shorter but frees only young objects.
   * @default true
   */
  full?: boolean;
}

/** What one forced collection cost and freed. */
export interface ForceGcResult {
  /** How long the process stood still, in milliseconds. */
  pauseMs: number;
  /** Bytes of heap freed: heapUsedBefore - heapUsedAfter, or 0 when the heap grew meanwhile. */
  freedBytes: number;
  heapUsedBefore: number;
  heapUsedAfter: number;
  /**
   * heapUsedAfter - heapUsedBefore, unclamped: negative when memory was freed. Positive when
   * finalizers or weak callbacks run by the collection allocated more than it freed.
   */
  heapDeltaBytes: number;
}

/** The `gc` function V8 installs with `--expose-gc`: full without arguments, minor on request. */
type GcFunction = (options?: { type: 'minor' }) => void;

let runtimeGc: GcFunction | undefined;

/** True when {@link forceGc} can run: `--expose-gc` was given or {@link enableGcAtRuntime} succeeded. */
export function gcAvailable(): boolean {
  return currentGc() !== undefined;
}

/**
 * Makes GC forcible in a process started without `--expose-gc`, and returns whether GC can now
 * be forced. Opt-in, because the trade-off is real:
 *
 * - It flips a V8 flag after start-up with `v8.setFlagsFromString`, which Node documents as
 *   possibly unpredictable. The flag is set only for as long as it takes to create one throwaway
 *   `vm` context and take its `gc` function, then turned off again, so no later context (and
 *   never the main `globalThis`) gains a `gc` global.
 * - That context stays alive for the life of the process (the function belongs to it): about
 *   a hundred kilobytes of heap, once.
 * - A forcible GC invites misuse. Force one only off the request path (a cleanup or a sweep),
 *   never per request: a full collection stops the whole process for tens to hundreds of ms.
 *
 * Cheap to call again: the function is obtained once and cached.
 */
export function enableGcAtRuntime(): boolean {
  if (currentGc()) return true;
  setFlagsFromString('--expose-gc');
  try {
    // Guarded lookup: where the flag had no effect, a bare `gc` would throw a ReferenceError.
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    if (typeof gc === 'function') runtimeGc = gc as GcFunction;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return runtimeGc !== undefined;
}

/**
 * Runs a garbage collection now and measures it. For a cleanup or a sweep after large
 * structures were dropped, never per request: the pause stops every request in the process.
 * Prefers the global `gc` of `--expose-gc`, else the one {@link enableGcAtRuntime} obtained.
 *
 * @throws LifecycleError `GC_UNAVAILABLE` when GC cannot be forced in this process.
 */
export function forceGc(options?: ForceGcOptions): ForceGcResult {
  const full = new OptionReader('forceGc', options).boolean('full', true);
  const gc = currentGc();
  if (!gc) {
    throw new LifecycleError(
      LifecycleErrorCode.GC_UNAVAILABLE,
      'forceGc: garbage collection cannot be forced here; start node with --expose-gc or call enableGcAtRuntime()',
    );
  }
  // V8's own counter rather than process.memoryUsage(), which also reads the RSS from the OS.
  const heapUsedBefore = getHeapStatistics().used_heap_size;
  const started = performance.now();
  // A bare gc() for the full collection: on Node 20, gc({ type: 'major' }) leaves alive
  // unreachable objects (and WeakRef targets) that a bare gc() frees.
  if (full) gc();
  else gc({ type: 'minor' });
  const pauseMs = performance.now() - started;
  const heapUsedAfter = getHeapStatistics().used_heap_size;
  const heapDeltaBytes = heapUsedAfter - heapUsedBefore;
  return { pauseMs, freedBytes: Math.max(0, -heapDeltaBytes), heapUsedBefore, heapUsedAfter, heapDeltaBytes };
}

function currentGc(): GcFunction | undefined {
  // Read at every call, not at load: a test harness may install globalThis.gc later.
  return typeof globalThis.gc === 'function' ? (globalThis.gc as GcFunction) : runtimeGc;
}
