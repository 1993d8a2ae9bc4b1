/**
 * A source of the current time in milliseconds since the epoch. Every class whose behaviour
 * depends on time takes one as its `now` option, so tests can move time without sleeping.
 */
export type Clock = () => number;

/** The wall clock, `Date.now`. */
export const systemClock: Clock = () => Date.now();
