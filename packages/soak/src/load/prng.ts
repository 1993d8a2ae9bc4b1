import { seededRandom } from '@steadystate/lifecycle';

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same load, so two runs
 * of the runner can be compared. Not for anything secret.
 */
export class Prng {
  /** A float in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('Prng.pick: the list is empty');
    return item;
  }

  /** `count` distinct items of the list (all of them when it is shorter). */
  sample<T>(items: readonly T[], count: number): T[] {
    const n = Math.min(count, items.length);
    const chosen = new Set<number>();
    while (chosen.size < n) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].map((i) => items[i] as T);
  }

  /** An exponentially distributed value with the given mean: the time between independent events. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}
