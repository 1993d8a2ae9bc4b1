import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { BoundedCache } from '../src/bounded-cache.js';
import { InvalidOptionError, LifecycleError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { assertNoLeak, type LeakCheckResult } from '../src/testing/assert-no-leak.js';
import { LeakDetectedError } from '../src/testing/leak-detected-error.js';
import { trackTimers } from '../src/testing/timer-tracker.js';

/** What one leaking call keeps: about 100 bytes (the object, its string, an array slot). */
class LeakedRecord {
  readonly createdAt = Date.now();
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

/** Builds and drops a few objects, strings and a Map per call: garbage, never kept. */
function churn(iteration: number): number {
  const rows = Array.from({ length: 8 }, (_, j) => ({ j, key: `row-${iteration}-${j}` }));
  return new Map(rows.map((row) => [row.key, row])).size;
}

function report(t: TestContext, result: LeakCheckResult): void {
  t.diagnostic(
    `${result.label}: ${result.bytesPerIteration.toFixed(1)} B/iteration ` +
      `(interval ${result.interval.lower.toFixed(1)} to ${result.interval.upper.toFixed(1)}, ` +
      `limit ${result.limitBytesPerIteration.toFixed(1)}), ${result.durationMs.toFixed(0)} ms`,
  );
}

async function expectLeak(t: TestContext, run: () => Promise<unknown>): Promise<LeakDetectedError> {
  const started = performance.now();
  const error = await run().then(
    () => assert.fail('assertNoLeak passed a leaking function'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof LeakDetectedError, `expected LeakDetectedError, got ${String(error)}`);
  assert.ok(error instanceof LifecycleError);
  assert.equal(error.code, LifecycleErrorCode.LEAK_DETECTED);
  report(t, error.result);
  t.diagnostic(`failure with heap diff took ${(performance.now() - started).toFixed(0)} ms`);
  return error;
}

describe('assertNoLeak options', () => {
  const bad: [string, unknown][] = [
    ['options', 'fast'],
    ['iterations', { iterations: 0 }],
    ['iterations', { iterations: 1.5 }],
    ['iterations', { iterations: 10_000_001 }],
    ['iterations', { iterations: '1000' }],
    ['samples', { samples: 2 }],
    ['samples', { samples: 10_001 }],
    ['warmupSamples', { warmupSamples: -1 }],
    ['warmupSamples', { warmupSamples: Infinity }],
    ['maxBytesPerIteration', { maxBytesPerIteration: -1 }],
    ['maxBytesPerIteration', { maxBytesPerIteration: Number.NaN }],
    ['maxBytesPerIteration', { maxBytesPerIteration: Infinity }],
    ['minTotalGrowthBytes', { minTotalGrowthBytes: -1 }],
    ['minTotalGrowthBytes', { minTotalGrowthBytes: 2 ** 60 }],
    ['confidence', { confidence: 0.4 }],
    ['confidence', { confidence: 1 }],
    ['label', { label: '' }],
    ['label', { label: 42 }],
    ['heapDiff', { heapDiff: 'yes' }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, async () => {
      let called = false;
      await assert.rejects(
        assertNoLeak(() => (called = true), options as never),
        (error: unknown) =>
          error instanceof TypeError &&
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION,
      );
      assert.equal(called, false);
    });
  }

  it('rejects a fn that is not a function, naming "fn"', async () => {
    await assert.rejects(assertNoLeak('leak' as never), {
      code: LifecycleErrorCode.INVALID_OPTION,
      option: 'fn',
    });
  });

  it('throws GC_UNAVAILABLE without --expose-gc, before calling fn', async () => {
    const savedGc = globalThis.gc;
    globalThis.gc = undefined;
    let called = false;
    try {
      await assert.rejects(
        assertNoLeak(() => (called = true)),
        (error: unknown) =>
          error instanceof LifecycleError && error.code === LifecycleErrorCode.GC_UNAVAILABLE,
      );
    } finally {
      globalThis.gc = savedGc;
    }
    assert.equal(called, false);
  });
});

describe('assertNoLeak verdict', () => {
  it('fails a function that keeps ~100 bytes per call, naming the slope and LeakedRecord', async (t) => {
    const kept: LeakedRecord[] = [];
    const error = await expectLeak(t, () =>
      assertNoLeak((i) => kept.push(new LeakedRecord(i, `record-${i}`)), { label: 'leaky records' }),
    );
    const { result } = error;
    assert.equal(error.label, 'leaky records');
    assert.ok(
      result.bytesPerIteration > 50 && result.bytesPerIteration < 250,
      `slope ${result.bytesPerIteration}`,
    );
    assert.ok(result.interval.lower > result.limitBytesPerIteration);
    assert.equal(result.samples.length, 10);
    const record = error.growth.find((type) => type.name === 'LeakedRecord');
    assert.ok(record, `LeakedRecord not among ${error.growth.map((type) => type.name).join(', ')}`);
    assert.equal(record.countDelta, 1000); // one more batch of the default 1000 calls
    assert.ok(error.growth.length <= 10);
    assert.equal(error.heapDiffError, undefined);
    // The report is for people: it carries the label and the grown type by name.
    assert.ok(error.message.includes('leaky records') && error.message.includes('LeakedRecord'));
    assert.equal(kept.length, 12_000); // warm-up 2 + 9 measured batches + 1 diffed, of 1000
  });

  it('fails an async function that leaks the same way', async (t) => {
    const kept: LeakedRecord[] = [];
    const error = await expectLeak(t, () =>
      assertNoLeak(
        async (i) => {
          await Promise.resolve();
          kept.push(new LeakedRecord(i, `record-${i}`));
        },
        { label: 'async leaky records' },
      ),
    );
    assert.ok(
      error.result.bytesPerIteration > 50 && error.result.bytesPerIteration < 250,
      `slope ${error.result.bytesPerIteration}`,
    );
    assert.ok(error.growth.some((type) => type.name === 'LeakedRecord'));
  });

  it('passes a function that only makes garbage, and returns its measurements', async (t) => {
    const result = await assertNoLeak(churn);
    report(t, result);
    assert.equal(result.label, 'churn');
    assert.ok(result.interval.lower <= result.limitBytesPerIteration);
    assert.equal(result.samples.length, 10);
    assert.equal(result.iterations, 11_000);
    assert.deepEqual(
      result.samples.map((s) => s.iteration),
      Array.from({ length: 10 }, (_, i) => 2000 + i * 1000),
    );
    assert.ok(result.durationMs > 0);
  });

  it('passes an async function that only makes garbage', async (t) => {
    const result = await assertNoLeak(
      async (i) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        return churn(i);
      },
      { label: 'async churn' },
    );
    report(t, result);
    assert.ok(result.interval.lower <= result.limitBytesPerIteration);
  });

  it('passes 110,000 sets of distinct keys into a BoundedCache and fails them into a plain Map', async (t) => {
    const cache = new BoundedCache<string, { id: number }>({ capacity: 1000, logger: silentLogger });
    const bounded = await assertNoLeak((i) => cache.set(`key-${i}`, { id: i }), {
      iterations: 10_000,
      warmupSamples: 1,
      label: 'BoundedCache of 1000',
    });
    report(t, bounded);
    assert.equal(bounded.iterations, 100_000);
    assert.ok(cache.size <= 1000);
    await cache.close();

    const map = new Map<string, { id: number }>();
    const error = await expectLeak(t, () =>
      assertNoLeak((i) => map.set(`key-${i}`, { id: i }), {
        iterations: 10_000,
        warmupSamples: 1,
        heapDiff: false,
        label: 'unbounded Map',
      }),
    );
    assert.deepEqual(error.growth, []);
    assert.equal(map.size, 100_000);
  });
});

describe('assertNoLeak behaviour', () => {
  it('calls fn with consecutive iteration numbers, one call at a time', async () => {
    const seen: number[] = [];
    let running = 0;
    await assertNoLeak(
      async (i) => {
        assert.equal(running++, 0);
        seen.push(i);
        await Promise.resolve();
        running--;
      },
      { iterations: 3, samples: 3, warmupSamples: 1, maxBytesPerIteration: 1e9 },
    );
    assert.deepEqual(
      seen,
      Array.from({ length: 9 }, (_, i) => i),
    );
  });

  it('rethrows what fn throws', async () => {
    const boom = new Error('fn failed');
    await assert.rejects(
      assertNoLeak((i) => {
        if (i === 5) throw boom;
      }),
      (error: unknown) => error === boom,
    );
  });

  it('leaves no timer and no process listener behind', async () => {
    const listenersBefore = process.eventNames().map((name) => process.listenerCount(name));
    const timers = trackTimers();
    try {
      await assertNoLeak(churn, { iterations: 100, samples: 3, warmupSamples: 0 });
      assert.equal(timers.live, 0);
    } finally {
      timers.stop();
    }
    assert.deepEqual(
      process.eventNames().map((name) => process.listenerCount(name)),
      listenersBefore,
    );
  });
});
