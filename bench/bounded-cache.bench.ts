// BoundedCache against a plain lru-cache LRUCache with the same max: the cache it wraps, and the
// one a user would pick instead. Both see the same precomputed key sequence, so the work differs
// only by what BoundedCache adds (batch eviction, counters, the dispose hook, the closed check).
import { BoundedCache, silentLogger } from '@steadystate/lifecycle';
import { seededRandom } from '@steadystate/lifecycle';
import { LRUCache } from 'lru-cache';
import { compare, type Contender } from './support/compare.js';

const AIM = 0.85;
const CAPACITY = 10_000;
const OPS_PER_ROUND = 1_000_000;

interface Cache {
  get(key: string): number | undefined;
  set(key: string, value: number): unknown;
}

function keySequence(length: number, distinctKeys: number, seed: number): string[] {
  const names = Array.from({ length: distinctKeys }, (_, i) => `symbol-${i}`);
  const next = seededRandom(seed);
  return Array.from({ length }, () => names[Math.floor(next() * distinctKeys)] as string);
}

/** Read-through use: get, and set on a miss. Uniform keys over capacity / 0.8 give an ~80% hit rate. */
function readThrough(name: string, cache: Cache, keys: readonly string[]): Contender & { hitRate(): number } {
  let hits = 0;
  let lookups = 0;
  return {
    name,
    round: () => {
      for (let i = 0; i < OPS_PER_ROUND; i++) {
        const key = keys[i] as string;
        if (cache.get(key) === undefined) cache.set(key, i);
        else hits++;
      }
      lookups += OPS_PER_ROUND;
    },
    hitRate: () => hits / lookups,
  };
}

/** Churn: every set is a key the cache does not hold, so every set past capacity evicts. */
function churn(name: string, cache: Cache, keys: readonly string[]): Contender {
  let offset = 0;
  return {
    name,
    round: () => {
      for (let i = 0; i < OPS_PER_ROUND; i++) cache.set(keys[(offset + i) % keys.length] as string, i);
      offset = (offset + OPS_PER_ROUND) % keys.length;
    },
  };
}

function caches(): { ours: BoundedCache<string, number>; theirs: LRUCache<string, number> } {
  return {
    ours: new BoundedCache<string, number>({ capacity: CAPACITY, logger: silentLogger }),
    theirs: new LRUCache<string, number>({ max: CAPACITY }),
  };
}

{
  const keys = keySequence(OPS_PER_ROUND, Math.round(CAPACITY / 0.8), 42);
  const { ours, theirs } = caches();
  const subject = readThrough('BoundedCache', ours, keys);
  const baseline = readThrough('LRUCache', theirs, keys);
  await compare({
    title: `read-through (get, set on miss), capacity ${CAPACITY}, ${OPS_PER_ROUND} lookups per round`,
    opsPerRound: OPS_PER_ROUND,
    subject,
    baseline,
    aim: AIM,
  });
  const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
  console.log(
    `  hit rate: BoundedCache ${percent(subject.hitRate())}, LRUCache ${percent(baseline.hitRate())}`,
  );
  await ours.close();
}

{
  // Distinct keys ten times the capacity, taken in order: no key is still cached when it returns.
  const keys = Array.from({ length: CAPACITY * 10 }, (_, i) => `symbol-${i}`);
  const { ours, theirs } = caches();
  await compare({
    title: `churn (set of a new key past capacity), capacity ${CAPACITY}, ${OPS_PER_ROUND} sets per round`,
    opsPerRound: OPS_PER_ROUND,
    subject: churn('BoundedCache', ours, keys),
    baseline: churn('LRUCache', theirs, keys),
    aim: AIM,
  });
  await ours.close();
}
