import { createClock } from '@sinonjs/fake-timers';
import type { ClockSource, Timers } from '../clock.js';

/**
 * A clock a test moves by hand: `now` for the `now` option of the toolkit's classes and `timers`
 * for their `timers` option (together, a {@link ClockSource}). Moving it fires the timers that
 * fall due, in order, so an interval of an hour or a delayed close of a minute happens in a test
 * without sleeping. Timers live on @sinonjs/fake-timers' clock, created apart: the process's own
 * timers stay real.
 */
export interface ManualClock extends ClockSource {
  /** Moves time forward by `ms`, firing due timers synchronously. */
  advance(ms: number): void;
  /**
   * Moves time forward by `ms`, firing due timers one by one and letting promises settle between
   * them: for work that awaits (a job's run, a close) before its next timer.
   */
  advanceAsync(ms: number): Promise<void>;
  /** Timers scheduled and not yet fired or cleared. */
  readonly pending: number;
}

export function manualClock(start = 1_000_000): ManualClock {
  const fake = createClock(start);
  const timers: Timers = {
    setTimeout: (callback, ms, ...args) =>
      fake.setTimeout(callback as (...values: unknown[]) => void, ms, ...args),
    clearTimeout: (handle) => fake.clearTimeout(handle as Parameters<typeof fake.clearTimeout>[0]),
    setInterval: (callback, ms) => fake.setInterval(callback, ms),
    clearInterval: (handle) => fake.clearInterval(handle as Parameters<typeof fake.clearInterval>[0]),
  };
  return {
    now: () => fake.now,
    timers,
    advance(ms) {
      fake.tick(ms);
    },
    async advanceAsync(ms) {
      await fake.tickAsync(ms);
    },
    get pending() {
      return fake.countTimers();
    },
  };
}
