/**
 * How long to wait after the `failures`-th consecutive failure: `baseMs` doubled per failure up
 * to `maxMs`, then scaled by a random factor from 0.5 to 1, so the loops of many symbols that
 * failed together (an exchange outage) do not retry in lockstep.
 */
export function backoffDelay(
  failures: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(exponential * (0.5 + random() / 2));
}
