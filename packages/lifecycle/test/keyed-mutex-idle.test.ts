// KeyedMutex's bounds and idle entries, and the bug it exists to prevent: a sweep that evicted
// locks by age while they were held, letting two writers append to one log file.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LifecycleErrorCode } from '../src/errors.js';
import { KeyedMutex } from '../src/keyed-mutex.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';
import { hasCode } from './support/error-code.js';
import { quiet, watch } from './support/keyed-mutex.js';
import { manualClock } from '../src/testing/manual-clock.js';
import { settle, waitFor } from '../src/testing/wait.js';

describe('KeyedMutex bounds', () => {
  it('refuses waiters beyond maxWaitersPerKey and maxWaiters with QUEUE_FULL', async () => {
    const mutex = new KeyedMutex({ maxWaitersPerKey: 2, maxWaiters: 3, ...quiet });
    const holders = [await mutex.acquire('a'), await mutex.acquire('b')];
    const queued = [mutex.acquire('a'), mutex.acquire('a'), mutex.acquire('b')];
    await assert.rejects(mutex.acquire('a'), hasCode(LifecycleErrorCode.QUEUE_FULL));
    await assert.rejects(mutex.acquire('b'), hasCode(LifecycleErrorCode.QUEUE_FULL));
    assert.deepEqual([mutex.stats().waiting, mutex.stats().rejected], [3, 2]);
    for (const holder of holders) holder.release();
    for (const lock of queued) (await lock).release();
    assert.equal(mutex.size, 0);
  });

  it('a new key beyond maxKeys makes room by dropping idle entries, or fails when none is idle', async () => {
    const clock = manualClock();
    const mutex = new KeyedMutex({ maxKeys: 2, idleMs: 60_000, now: clock.now, ...quiet });
    await mutex.withLock('idle', () => {});
    const held = await mutex.acquire('held');
    const third = await mutex.acquire('third');
    assert.deepEqual([mutex.size, mutex.stats().dropped, mutex.stats().held], [2, 1, 2]);
    await assert.rejects(mutex.acquire('fourth'), hasCode(LifecycleErrorCode.LIMIT_REACHED));
    held.release();
    third.release();
    await mutex.close();
  });

  it('100,000 locks on distinct keys leave no entry behind (idleMs 0)', async () => {
    const mutex = new KeyedMutex(quiet);
    let maxSize = 0;
    for (let batch = 0; batch < 100; batch++) {
      const tasks: Promise<void>[] = [];
      for (let i = 0; i < 1000; i++) tasks.push(mutex.withLock(`key-${batch}-${i}`, () => {}));
      maxSize = Math.max(maxSize, mutex.size);
      await Promise.all(tasks);
    }
    assert.equal(maxSize, 1000);
    const { keys, held, idle, waiting, acquisitions, dropped } = mutex.stats();
    assert.deepEqual(
      { keys, held, idle, waiting, acquisitions, dropped },
      { keys: 0, held: 0, idle: 0, waiting: 0, acquisitions: 100_000, dropped: 100_000 },
    );
  });

  it('keeps the heap flat over contended acquires on ever new keys', async () => {
    const mutex = new KeyedMutex(quiet);
    // Each call: a holder, a waiter with a timeout and an abort signal, then both released.
    await assertNoLeak(
      async (i) => {
        const key = `session-${i}`;
        const holder = await mutex.acquire(key);
        const waiting = mutex.acquire(key, { timeoutMs: 60_000, signal: new AbortController().signal });
        holder.release();
        (await waiting).release();
      },
      { label: 'KeyedMutex contended acquire' },
    );
    assert.deepEqual([mutex.size, mutex.stats().waiting], [0, 0]);
  });

  it('100,000 idle entries are all swept once the clock passes idleMs', async () => {
    const clock = manualClock();
    const mutex = new KeyedMutex({ idleMs: 1000, now: clock.now, ...quiet });
    for (let i = 0; i < 100_000; i++) await mutex.withLock(`key-${i}`, () => {});
    assert.deepEqual([mutex.stats().idle, mutex.size], [100_000, 100_000]);
    clock.advance(999);
    assert.equal(mutex.sweep(), 0);
    clock.advance(1);
    assert.equal(mutex.sweep(), 100_000);
    assert.deepEqual([mutex.size, mutex.stats().idle, mutex.stats().held], [0, 0, 0]);
    await mutex.close();
  });
});

describe('KeyedMutex idle entries', () => {
  it('keeps a released entry for reuse until it has been idle for idleMs', async () => {
    const clock = manualClock();
    const mutex = new KeyedMutex({ idleMs: 1000, now: clock.now, ...quiet });
    await mutex.withLock('k', () => {});
    assert.deepEqual([mutex.size, mutex.stats().idle], [1, 1]);
    clock.advance(900);
    await mutex.withLock('k', () => {}); // reuses the entry and restarts its idle time
    clock.advance(900);
    assert.equal(mutex.sweep(), 0);
    clock.advance(100);
    assert.equal(mutex.sweep(), 1);
    assert.equal(mutex.size, 0);
    await mutex.close();
  });

  it('delete drops an idle entry and refuses a held or awaited one', async () => {
    const mutex = new KeyedMutex({ idleMs: 1000, ...quiet });
    await mutex.withLock('idle', () => {});
    assert.equal(mutex.delete('idle'), true);
    assert.equal(mutex.delete('missing'), false);
    const holder = await mutex.acquire('busy');
    const waiter = mutex.acquire('busy');
    assert.equal(mutex.delete('busy'), false);
    holder.release();
    assert.equal(mutex.delete('busy'), false);
    (await waiter).release();
    assert.equal(mutex.delete('busy'), true);
    await mutex.close();
  });

  it('never drops a lock held or awaited past idleMs, however often the sweep runs', async () => {
    const clock = manualClock();
    const mutex = new KeyedMutex({ idleMs: 1000, now: clock.now, ...quiet });
    const holder = await mutex.acquire('session');
    const second = watch(mutex.acquire('session'));
    await mutex.withLock('other session', () => {}); // idle: the sweeps have something to drop
    const swept: number[] = [];
    for (let i = 0; i < 50; i++) {
      clock.advance(3_600_000);
      swept.push(mutex.sweep());
      assert.equal(mutex.delete('session'), false);
    }
    assert.deepEqual(swept, [1, ...Array<number>(49).fill(0)]);
    await settle();
    assert.equal(second.settled, false, 'the second acquirer must still wait');
    assert.deepEqual([mutex.isLocked('session'), mutex.size, mutex.stats().waiting], [true, 1, 1]);
    holder.release();
    (await second.promise).release();
    clock.advance(1000);
    assert.equal(mutex.sweep(), 1);
    await mutex.close();
  });

  it('concurrent appenders to one file never interleave while sweeps run inside their sections', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyed-mutex-'));
    try {
      const file = join(dir, 'session.log');
      const clock = manualClock();
      const mutex = new KeyedMutex({ idleMs: 1000, now: clock.now, ...quiet });
      const writers = Array.from({ length: 40 }, (_, i) =>
        mutex.withLock('session', async () => {
          await appendFile(file, `<${i}`);
          clock.advance(10_000);
          assert.equal(mutex.sweep(), 0);
          await appendFile(file, `:${i}>\n`);
        }),
      );
      await Promise.all(writers);
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      assert.deepEqual(
        lines,
        Array.from({ length: 40 }, (_, i) => `<${i}:${i}>`),
      );
      await mutex.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the scheduled sweep keeps a held lock and drops the entry once it is idle', async () => {
    // Every clock reading is an hour later: at each scheduled sweep the lock is far past idleMs.
    let time = 0;
    const mutex = new KeyedMutex({ idleMs: 1, sweepIntervalMs: 1, now: () => (time += 3_600_000), ...quiet });
    const holder = await mutex.acquire('session');
    const second = watch(mutex.acquire('session'));
    const sweepsSeen = time;
    await waitFor(() => time > sweepsSeen + 5 * 3_600_000, 'several sweeps', 5000);
    assert.deepEqual([second.settled, mutex.isLocked('session')], [false, true]);
    holder.release();
    (await second.promise).release();
    await waitFor(() => mutex.size === 0, 'the idle entry to be swept', 5000);
    await mutex.close();
  });
});
