import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedCache } from '../src/bounded-cache.js';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { captureLogger } from './support/capture-logger.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';

const quiet = { logger: silentLogger };

describe('BoundedCache options', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['capacity', {}],
    ['capacity', { capacity: 0 }],
    ['capacity', { capacity: -5 }],
    ['capacity', { capacity: 1.5 }],
    ['capacity', { capacity: Infinity }],
    ['capacity', { capacity: '100' }],
    ['capacity', { capacity: 2 ** 31 }],
    ['evictionBatch', { capacity: 10, evictionBatch: 11 }],
    ['evictionBatch', { capacity: 10, evictionBatch: 0 }],
    ['ttlMs', { capacity: 10, ttlMs: 0 }],
    ['ttlMs', { capacity: 10, ttlMs: Infinity }],
    ['dispose', { capacity: 10, dispose: 'close' }],
    ['name', { capacity: 10, name: '' }],
    ['logger', { capacity: 10, logger: {} }],
    ['structures', { capacity: 10, structures: {} }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new BoundedCache(options as never),
        (error: unknown) =>
          error instanceof TypeError &&
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION &&
          error.message.includes(`"${option}"`),
      );
    });
  }

  it('evicts 1% of capacity, at least 100 and at most the capacity, by default', () => {
    assert.equal(new BoundedCache({ capacity: 50_000 }).evictionBatch, 500);
    assert.equal(new BoundedCache({ capacity: 1000 }).evictionBatch, 100);
    assert.equal(new BoundedCache({ capacity: 40 }).evictionBatch, 40);
  });
});

describe('BoundedCache eviction', () => {
  it('evicts a batch of least-recently-used entries when a new key arrives at a full cache', () => {
    const cache = new BoundedCache<number, string>({ capacity: 1000, ...quiet });
    for (let i = 0; i < 1000; i++) cache.set(i, `v${i}`);
    cache.get(0); // 0 becomes most recently used and survives the batch
    cache.set(1000, 'new');
    assert.equal(cache.size, 901);
    assert.equal(cache.stats().evictions, 100);
    assert.equal(cache.get(0), 'v0');
    for (let i = 1; i <= 100; i++) assert.equal(cache.has(i), false, `key ${i} should be evicted`);
    assert.equal(cache.get(101), 'v101');
  });

  it('overwriting an existing key at capacity evicts nothing', () => {
    const cache = new BoundedCache<number, number>({ capacity: 200, ...quiet });
    for (let i = 0; i < 200; i++) cache.set(i, i);
    cache.set(5, 55);
    assert.equal(cache.size, 200);
    assert.equal(cache.stats().evictions, 0);
  });

  it('counts hits and misses; peek and has count neither', () => {
    const cache = new BoundedCache<string, number>({ capacity: 10, ...quiet });
    cache.set('a', 1);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('b'), undefined);
    cache.peek('a');
    cache.has('b');
    const { hits, misses } = cache.stats();
    assert.deepEqual({ hits, misses }, { hits: 1, misses: 1 });
  });

  it('stays within capacity over 100,000 distinct keys', () => {
    const cache = new BoundedCache<string, { payload: string }>({ capacity: 5000, ...quiet });
    let maxSize = 0;
    for (let i = 0; i < 100_000; i++) {
      cache.set(`key-${i}`, { payload: `value-${i}` });
      maxSize = Math.max(maxSize, cache.size);
    }
    assert.ok(maxSize <= 5000, `size reached ${maxSize}`);
    assert.equal(cache.stats().evictions, 100_000 - cache.size);
  });

  it('does not grow the heap over 100,000 sets, gets and deletes of distinct keys', async () => {
    const cache = new BoundedCache<string, { payload: string }>({ capacity: 2000, ttlMs: 60_000, ...quiet });
    await assertNoLeak(
      (i) => {
        cache.set(`key-${i}`, { payload: `value-${i}` });
        cache.get(`key-${i - 500}`);
        if (i % 3 === 0) cache.delete(`key-${i - 1}`);
      },
      { iterations: 10_000, samples: 10, label: 'BoundedCache set/get/delete' },
    );
    assert.ok(cache.size <= cache.capacity);
  });
});

describe('BoundedCache TTL', () => {
  it('treats entries older than ttlMs as absent and purges them on demand', () => {
    let now = 1_000;
    const cache = new BoundedCache<string, number>({ capacity: 10, ttlMs: 100, now: () => now, ...quiet });
    cache.set('a', 1);
    cache.set('b', 2);
    now += 50;
    assert.equal(cache.get('a'), 1);
    now += 60;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.stats().expirations, 1);
    assert.equal(cache.purgeStale(), 1);
    assert.equal(cache.size, 0);
    assert.equal(cache.stats().expirations, 2);
  });
});

describe('BoundedCache per-entry TTL', () => {
  it('expires an entry after its own ttlMs, with or without a cache-wide TTL', () => {
    let now = 1_000;
    const cache = new BoundedCache<string, number>({ capacity: 10, now: () => now, ...quiet });
    cache.set('short', 1, { ttlMs: 100 });
    cache.set('forever', 2);
    assert.equal(cache.remainingTtl('short'), 100);
    assert.equal(cache.remainingTtl('forever'), Infinity);
    assert.equal(cache.remainingTtl('absent'), undefined);
    now += 100;
    assert.equal(cache.remainingTtl('short'), 0, 'at the exact expiry: still there, no time left');
    now += 50;
    assert.equal(cache.get('short'), undefined);
    assert.equal(cache.get('forever'), 2);
    assert.throws(() => cache.set('bad', 3, { ttlMs: 0 }), RangeError);
    assert.throws(() => cache.set('bad', 3, { ttlMs: 1.5 }), RangeError);
  });
});

describe('BoundedCache dispose hook', () => {
  it('hands every leaving value to dispose with the reason', async () => {
    const seen: string[] = [];
    const cache = new BoundedCache<number, number>({
      capacity: 3,
      evictionBatch: 1,
      dispose: (value, key, reason) => void seen.push(`${key}:${value}:${reason}`),
      ...quiet,
    });
    cache.set(1, 1).set(2, 2).set(3, 3);
    cache.set(4, 4); // evicts 1
    cache.set(2, 20); // replaces 2
    cache.delete(3);
    await cache.trim(0.5); // one of two entries left: 4 is least recently used
    await cache.clear();
    assert.deepEqual(seen, ['1:1:evict', '2:2:set', '3:3:delete', '4:4:trim', '2:20:clear']);
  });

  it('awaits async disposals on close and counts failures without rethrowing', async () => {
    const logger = captureLogger();
    const closed: number[] = [];
    const cache = new BoundedCache<number, number>({
      capacity: 10,
      logger,
      dispose: async (value) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (value % 2 === 0) throw new Error(`cannot close ${value}`);
        closed.push(value);
      },
    });
    for (let i = 1; i <= 4; i++) cache.set(i, i);
    cache.delete(1);
    assert.equal(cache.stats().pendingDisposals, 1);
    await cache.close();
    assert.deepEqual(closed.sort(), [1, 3]);
    assert.equal(cache.stats().disposeErrors, 2);
    assert.equal(cache.stats().pendingDisposals, 0);
    assert.equal(logger.entries.filter((e) => e.level === 'error').length, 2);
  });

  it('counts a dispose that throws synchronously and keeps the cache usable', () => {
    const cache = new BoundedCache<number, number>({
      capacity: 10,
      dispose: () => {
        throw new Error('boom');
      },
      ...quiet,
    });
    cache.set(1, 1);
    assert.equal(cache.delete(1), true);
    cache.set(2, 2);
    assert.equal(cache.get(2), 2);
    assert.equal(cache.stats().disposeErrors, 1);
  });
});

describe('BoundedCache trim', () => {
  it('frees a fraction now and can fill up to the same capacity again', async () => {
    const cache = new BoundedCache<number, number>({ capacity: 1000, ...quiet });
    for (let i = 0; i < 1000; i++) cache.set(i, i);
    assert.equal(await cache.trim(0.25), 250);
    assert.equal(cache.size, 750);
    assert.equal(cache.capacity, 1000);
    for (let i = 1000; i < 1250; i++) cache.set(i, i);
    assert.equal(cache.size, 1000);
    assert.equal(await cache.trim(0), 0);
    await assert.rejects(cache.trim(1.5), RangeError);
  });
});

describe('BoundedCache lifecycle', () => {
  it('registers with a structure registry and unregisters on close; close twice is fine', async () => {
    const structures = new StructureRegistry();
    const cache = new BoundedCache<string, number>({ capacity: 10, name: 'quotes', structures, ...quiet });
    cache.set('x', 1);
    assert.deepEqual(structures.snapshot(), [{ name: 'quotes', size: 1, capacity: 10, utilization: 0.1 }]);
    await cache.close();
    await cache.close();
    assert.deepEqual(structures.snapshot(), []);
    assert.equal(cache.size, 0);
    assert.throws(() => cache.set('y', 2), { code: LifecycleErrorCode.CLOSED });
  });

  it('works with await using', async () => {
    let disposed = 0;
    {
      await using cache = new BoundedCache<string, number>({
        capacity: 2,
        dispose: () => void disposed++,
        ...quiet,
      });
      cache.set('a', 1).set('b', 2);
    }
    assert.equal(disposed, 2);
  });
});
