/**
 * A source of the current time in milliseconds since the epoch. Every class whose behaviour
 * depends on time takes one as its `now` option, so tests can move time without sleeping.
 */
export type Clock = () => number;

/** The wall clock, `Date.now`. */
export const systemClock: Clock = () => Date.now();

/** The longest delay a Node.js timer can hold: 2^31 - 1 ms, about 24.8 days. Longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a {@link Timers} call returns (Node's Timeout, a fake timer); only `clear…` uses it. */
export type TimerHandle = object | number;

/**
 * Where a class schedules its work: the intervals of its jobs and the delays whose expiry is the
 * behaviour (an idle resource closed a minute after its last user left). Classes that schedule
 * take one as their `timers` option, beside `now`, so a test moves both by hand (the manual clock
 * of `@steadystate/lifecycle/testing`) instead of sleeping. Timers made here never keep the
 * process alive.
 *
 * Deadlines that only stop a hang (how long `close()` waits for a run, a lock wait's timeout,
 * a cleanup callback's budget) always run on real time, so a test on a manual clock cannot hang
 * waiting for a time nobody moves.
 */
export interface Timers {
  /** Like Node's: `args` are passed to `callback`, so a timer per object needs no closure per object. */
  setTimeout<A extends unknown[]>(callback: (...args: A) => void, ms: number, ...args: A): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** Node's timers, `unref()`ed. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms, ...args) => setTimeout(callback, ms, ...args).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout | undefined),
};

/** The time and the timers of one component tree: what a service threads through its options. */
export interface ClockSource {
  now: Clock;
  timers: Timers;
}

/** Real time: `Date.now` and Node's timers. */
export const systemClockSource: ClockSource = { now: systemClock, timers: systemTimers };
