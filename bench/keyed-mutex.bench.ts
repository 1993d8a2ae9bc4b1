// KeyedMutex against async-lock, the keyed lock most Node projects pick. Every task runs the
// same tiny async critical section: a read-await-write on a per-key counter, which loses updates
// unless the lock really excludes; the totals are checked at the end.
import { KeyedMutex, silentLogger } from '@steadystate/lifecycle';
import AsyncLock from 'async-lock';
import { compare, type Contender } from './support/compare.js';

const AIM = 2;

interface Workload {
  keys: number;
  tasksPerKey: number;
  /** Bursts per round: each starts keys × tasksPerKey tasks at once and awaits them all. */
  bursts: number;
}

type WithLock = (key: string, fn: () => Promise<void>) => Promise<unknown>;

/** The per-key counters one contender updates under its lock, to prove mutual exclusion. */
class Ledger {
  readonly counts = new Map<string, number>();
  expected = 0;

  criticalSection(key: string): () => Promise<void> {
    return async () => {
      const value = this.counts.get(key) ?? 0;
      await Promise.resolve();
      this.counts.set(key, value + 1);
    };
  }

  check(name: string): void {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    if (total !== this.expected) throw new Error(`${name}: ${this.expected - total} updates lost`);
  }
}

function contender(name: string, withLock: WithLock, ledger: Ledger, work: Workload): Contender {
  const keys = Array.from({ length: work.keys }, (_, i) => `key-${i}`);
  // Made once, so that a round allocates only what the lock itself needs.
  const sections = keys.map((key) => ledger.criticalSection(key));
  return {
    name,
    round: async () => {
      for (let burst = 0; burst < work.bursts; burst++) {
        const tasks: Promise<unknown>[] = [];
        for (let t = 0; t < work.tasksPerKey; t++) {
          for (let k = 0; k < keys.length; k++) {
            tasks.push(withLock(keys[k] as string, sections[k] as () => Promise<void>));
          }
        }
        await Promise.all(tasks);
        ledger.expected += tasks.length;
      }
    },
  };
}

async function scenario(title: string, work: Workload, idleMs: number): Promise<void> {
  const mutex = new KeyedMutex({ idleMs, logger: silentLogger });
  const asyncLock = new AsyncLock();
  const ours = new Ledger();
  const theirs = new Ledger();
  await compare({
    title: `${title}, idleMs ${idleMs}: ${work.keys} keys x ${work.tasksPerKey} concurrent tasks, ${work.bursts} bursts per round`,
    opsPerRound: work.keys * work.tasksPerKey * work.bursts,
    subject: contender('KeyedMutex.withLock', (key, fn) => mutex.withLock(key, fn), ours, work),
    baseline: contender('AsyncLock.acquire', (key, fn) => asyncLock.acquire(key, fn), theirs, work),
    aim: AIM,
  });
  ours.check('KeyedMutex');
  theirs.check('async-lock');
  const { held, waiting } = mutex.stats();
  if (held !== 0 || waiting !== 0) throw new Error(`KeyedMutex left ${held} keys held, ${waiting} waiting`);
  await mutex.close();
}

const contended: Workload = { keys: 100, tasksPerKey: 10, bursts: 100 };
const uncontended: Workload = { keys: 1000, tasksPerKey: 1, bursts: 100 };
// idleMs 0 (the default) creates and drops an entry per uncontended acquire; idleMs > 0 keeps
// entries of keys that come back, as a service locking the same sessions or symbols would.
for (const idleMs of [0, 60_000]) {
  await scenario('contended', contended, idleMs);
  await scenario('uncontended', uncontended, idleMs);
}
