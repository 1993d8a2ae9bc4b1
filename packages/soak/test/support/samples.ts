import { Prng } from '../../src/load/prng.js';
import type { Sample } from '../../src/sample.js';

/** A sample at `t` seconds with the given RSS (MB); the other fields are plausible constants unless given. */
export function sampleAt(t: number, rssMb: number | null, fields: Partial<Sample> = {}): Sample {
  return {
    t,
    at: 1_800_000_000_000 + t * 1000,
    rssMb,
    hwmMb: rssMb,
    vmSizeMb: 1000,
    threads: 11,
    ctxtSwitches: 100 + t,
    heapUsedMb: 30,
    heapTotalMb: 60,
    externalMb: 4,
    gcPauseMsPerSecond: 1,
    targetClients: 50,
    loadClients: 50,
    adapters: 1,
    symbols: 100,
    memoryStatus: 'OK',
    runnerRssMb: 80,
    runnerHeapUsedMb: 10,
    ...fields,
  };
}

/**
 * One sample a second for `seconds`, RSS = base + slope × t plus uniform noise of ±noiseMb
 * from a seeded generator: the same series every run.
 */
export function rssSeries(o: {
  seconds: number;
  baseMb: number;
  slopeMbPerHour: number;
  noiseMb: number;
  seed?: number;
}): Sample[] {
  const rng = new Prng(o.seed ?? 1);
  return Array.from({ length: o.seconds }, (_, t) =>
    sampleAt(t, o.baseMb + (o.slopeMbPerHour * t) / 3600 + (rng.next() * 2 - 1) * o.noiseMb),
  );
}
