import { Counter, type Registry } from 'prom-client';

/** One labelled value of a counter that some object already keeps. */
export type CounterSample<L extends string> = [labels: Record<L, string>, value: number];

/**
 * A prom-client Counter whose values are read at scrape time from counters the toolkit's
 * objects already keep (cache hits, job runs), so the hot path pays nothing for metrics.
 * Series of objects that are gone disappear at the next scrape.
 */
export function cumulativeCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<CounterSample<L>>,
): Counter<L> {
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) if (value > 0) this.inc(labels, value);
    },
  });
}
