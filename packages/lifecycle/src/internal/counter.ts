/**
 * Adds to a monotonic counter without ever losing precision: at Number.MAX_SAFE_INTEGER
 * (2^53 - 1, about 285 years at a million events a second) it saturates instead of
 * rounding, so a counter never overflows and never goes backwards.
 */
export function increment(counter: number, by = 1): number {
  const next = counter + by;
  return next > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : next;
}
