import type { Clock, Timers } from './clock.js';

/** The options every class that schedules work of its own shares. */
export interface SchedulingOptions {
  /**
   * Where the class schedules its intervals and delays. A test passes the timers of a manual
   * clock (with the same clock's `now`) to move time by hand instead of sleeping.
   * @default systemTimers (Node's timers, unref()ed)
   */
  timers?: Timers;
  /**
   * Start the class's own schedule at construction. With `false` nothing is scheduled until
   * `start()` (`startSweep()` on a TaskRegistry, whose `start()` starts a task): an owner builds every part first and starts them once all of them were built, so a
   * build that fails half-way leaves nothing running (BullMQ's `autorun`).
   * @default true
   */
  autostart?: boolean;
}

/** The `now`, `timers` and `autostart` an owner received, to pass on to the parts it builds. */
export function schedulingOf(options: SchedulingOptions & { now?: Clock }): SchedulingOptions & {
  now?: Clock;
} {
  return { now: options.now, timers: options.timers, autostart: options.autostart };
}
