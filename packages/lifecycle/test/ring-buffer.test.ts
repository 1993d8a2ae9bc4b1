import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { RingBuffer } from '../src/ring-buffer.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';

describe('RingBuffer', () => {
  for (const [option, options] of [
    ['capacity', {}],
    ['capacity', { capacity: 0 }],
    ['capacity', { capacity: 2.5 }],
    ['capacity', { capacity: Infinity }],
    ['capacity', { capacity: 2 ** 25 }],
    ['name', { capacity: 4, name: 7 }],
    ['structures', { capacity: 4, structures: [] }],
  ] as const) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new RingBuffer(options as never),
        (e: unknown) => e instanceof InvalidOptionError && e instanceof TypeError && e.option === option,
      );
    });
  }

  it('is FIFO and drops the oldest item when full', () => {
    const ring = new RingBuffer<number>({ capacity: 3 });
    assert.equal(ring.push(1), false);
    ring.push(2);
    ring.push(3);
    assert.equal(ring.push(4), true);
    assert.equal(ring.push(5), true);
    const out: number[] = [];
    ring.drain((n) => out.push(n));
    assert.deepEqual(out, [3, 4, 5]);
    assert.equal(ring.shift(), undefined);
    assert.deepEqual(
      { ...ring.stats(), name: undefined },
      {
        name: undefined,
        size: 0,
        count: 0,
        capacity: 3,
        utilization: 0,
        published: 5,
        consumed: 3,
        dropped: 2,
      },
    );
  });

  it('toArray lists the waiting items oldest first without consuming them', () => {
    const ring = new RingBuffer<number>({ capacity: 3 });
    for (let i = 1; i <= 5; i++) ring.push(i);
    assert.deepEqual(ring.toArray(), [3, 4, 5]);
    assert.equal(ring.size, 3);
    assert.equal(ring.stats().consumed, 0);
  });

  it('drain takes at most max items', () => {
    const ring = new RingBuffer<number>({ capacity: 10 });
    for (let i = 0; i < 6; i++) ring.push(i);
    assert.equal(
      ring.drain(() => {}, 4),
      4,
    );
    assert.equal(ring.size, 2);
    assert.equal(ring.shift(), 4);
  });

  it('keeps published = consumed + dropped + waiting over a million wrapping pushes', () => {
    const ring = new RingBuffer<{ seq: number }>({ capacity: 1000 });
    let previous = ring.stats();
    for (let i = 0; i < 1_000_000; i++) {
      ring.push({ seq: i });
      if (i % 7 === 0) ring.drain(() => {}, 5);
      if (i % 100_000 === 0) {
        const now = ring.stats();
        assert.ok(now.published >= previous.published && now.consumed >= previous.consumed);
        assert.ok(now.dropped >= previous.dropped);
        previous = now;
      }
    }
    const s = ring.stats();
    assert.equal(s.published, s.consumed + s.dropped + s.count);
    assert.ok(s.count <= 1000);
  });

  it('does not grow the heap over 100,000 pushes with a slower consumer', async () => {
    const ring = new RingBuffer<{ seq: number; symbol: string }>({ capacity: 4096 });
    await assertNoLeak(
      (i) => {
        ring.push({ seq: i, symbol: `SYM${i}/USDT` });
        if (i % 2 === 0) ring.shift();
      },
      { iterations: 10_000, samples: 10, label: 'RingBuffer push/shift' },
    );
    assert.equal(ring.size, ring.capacity);
  });

  it('does not keep consumed items alive', async () => {
    const ring = new RingBuffer<object>({ capacity: 4 });
    let ref: WeakRef<object>;
    (() => {
      const item = { big: new Array(1000).fill('x') };
      ref = new WeakRef(item);
      ring.push(item);
    })();
    ring.shift();
    await new Promise((resolve) => setImmediate(resolve));
    global.gc?.();
    assert.equal(ref!.deref(), undefined);
  });

  it('clear counts discarded items as dropped; close unregisters, refuses pushes and is idempotent', async () => {
    const structures = new StructureRegistry();
    const ring = new RingBuffer<number>({ capacity: 8, name: 'ticks', structures });
    ring.push(1);
    ring.push(2);
    assert.deepEqual(structures.snapshot(), [{ name: 'ticks', size: 2, capacity: 8, utilization: 0.25 }]);
    assert.equal(ring.clear(), 2);
    assert.equal(ring.stats().dropped, 2);
    await ring.close();
    await ring.close();
    assert.deepEqual(structures.snapshot(), []);
    assert.throws(() => ring.push(3), { code: LifecycleErrorCode.CLOSED });
  });
});
