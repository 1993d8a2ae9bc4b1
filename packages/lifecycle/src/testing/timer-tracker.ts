import { createHook } from 'node:async_hooks';

/** Counts the timers created while it is enabled and not yet cleared or fired. */
export interface TimerTracker {
  /** Timers created since `trackTimers()` that are still scheduled. */
  readonly live: number;
  /** Stops tracking. */
  stop(): void;
}

/**
 * Tracks timers (setTimeout / setInterval) through async_hooks, so a test can prove that an
 * object's `close()` cleared every timer it created. An unref()ed timer does not keep the
 * process alive, but it still holds its callback and everything the callback closes over;
 * this tracker sees it either way.
 */
export function trackTimers(): TimerTracker {
  const live = new Set<number>();
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout') live.add(asyncId);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  hook.enable();
  return {
    get live() {
      return live.size;
    },
    stop() {
      hook.disable();
      live.clear();
    },
  };
}
