import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { KeyedMutex, type KeyedLock } from '../src/keyed-mutex.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { hasCode } from './support/error-code.js';
import { quiet, watch } from './support/keyed-mutex.js';
import { deferred, holdEventLoop, settle } from '../src/testing/wait.js';

describe('KeyedMutex options', () => {
  const bad: [string, unknown][] = [
    ['options', 'fast'],
    ['name', { name: '' }],
    ['idleMs', { idleMs: -1 }],
    ['idleMs', { idleMs: 1.5 }],
    ['idleMs', { idleMs: Infinity }],
    ['idleMs', { idleMs: '100' }],
    ['idleMs', { idleMs: 2 ** 31 }],
    ['sweepIntervalMs', { sweepIntervalMs: 100 }],
    ['sweepIntervalMs', { idleMs: 100, sweepIntervalMs: 0 }],
    ['sweepIntervalMs', { idleMs: 100, sweepIntervalMs: 2 ** 31 }],
    ['maxKeys', { maxKeys: 0 }],
    ['maxKeys', { maxKeys: 2 ** 31 }],
    ['maxWaitersPerKey', { maxWaitersPerKey: -1 }],
    ['maxWaitersPerKey', { maxWaitersPerKey: 1.5 }],
    ['maxWaiters', { maxWaiters: Infinity }],
    ['logger', { logger: {} }],
    ['now', { now: 'Date.now' }],
    ['structures', { structures: {} }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new KeyedMutex(options as never),
        (error: unknown) =>
          error instanceof TypeError &&
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION,
      );
    });
  }

  const badAcquire: [string, unknown][] = [
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: 2.5 }],
    ['timeoutMs', { timeoutMs: 2 ** 31 }],
    ['signal', { signal: {} }],
  ];
  for (const [option, options] of badAcquire) {
    it(`acquire and withLock reject ${JSON.stringify(options)} naming "${option}"`, async () => {
      const mutex = new KeyedMutex(quiet);
      const named = (error: unknown) => error instanceof InvalidOptionError && error.option === option;
      await assert.rejects(mutex.acquire('k', options as never), named);
      await assert.rejects(
        mutex.withLock('k', () => 1, options as never),
        named,
      );
      assert.equal(mutex.size, 0);
    });
  }

  it('withLock rejects a non-function naming "fn"', async () => {
    const mutex = new KeyedMutex(quiet);
    await assert.rejects(
      mutex.withLock('k', 42 as never),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'fn',
    );
  });

  it('has finite defaults', () => {
    const mutex = new KeyedMutex();
    assert.equal(mutex.idleMs, 0);
    assert.equal(mutex.capacity, 100_000);
  });
});

describe('KeyedMutex locking', () => {
  it('runs critical sections on one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex(quiet);
    const order: number[] = [];
    let active = 0;
    let maxActive = 0;
    const tasks = Array.from({ length: 20 }, (_, i) =>
      mutex.withLock('k', async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await settle();
        order.push(i);
        active--;
        return i * 2;
      }),
    );
    assert.deepEqual(
      await Promise.all(tasks),
      Array.from({ length: 20 }, (_, i) => i * 2),
    );
    assert.equal(maxActive, 1);
    assert.deepEqual(
      order,
      Array.from({ length: 20 }, (_, i) => i),
    );
    const stats = mutex.stats();
    assert.deepEqual(
      {
        keys: stats.keys,
        waiting: stats.waiting,
        acquisitions: stats.acquisitions,
        contended: stats.contended,
      },
      { keys: 0, waiting: 0, acquisitions: 20, contended: 19 },
    );
  });

  it('runs different keys in parallel', async () => {
    const mutex = new KeyedMutex(quiet);
    const gate = deferred();
    const a = mutex.withLock('a', () => gate.promise);
    assert.equal(await mutex.withLock('b', () => 'b done'), 'b done');
    assert.equal(mutex.isLocked('a'), true);
    gate.resolve();
    await a;
    assert.equal(mutex.size, 0);
  });

  it('releases when the critical section throws or rejects', async () => {
    const mutex = new KeyedMutex(quiet);
    await assert.rejects(
      mutex.withLock('k', () => {
        throw new Error('sync');
      }),
      /sync/,
    );
    await assert.rejects(
      mutex.withLock('k', () => Promise.reject(new Error('async'))),
      /async/,
    );
    assert.equal(mutex.isLocked('k'), false);
    assert.equal(await mutex.withLock('k', () => 'free'), 'free');
  });

  it('serves acquire and withLock waiters from one queue; a queued section that throws passes the key on', async () => {
    const mutex = new KeyedMutex(quiet);
    const order: string[] = [];
    const holder = await mutex.acquire('k');
    const thrower = mutex.withLock('k', () => {
      order.push('thrower');
      throw new Error('queued section failed');
    });
    const leased = mutex.acquire('k').then((lock) => {
      order.push('lease');
      lock.release();
    });
    const last = mutex.withLock('k', () => order.push('last'));
    holder.release();
    await assert.rejects(thrower, /queued section failed/);
    await Promise.all([leased, last]);
    assert.deepEqual(order, ['thrower', 'lease', 'last']);
    assert.deepEqual([mutex.size, mutex.stats().acquisitions, mutex.stats().contended], [0, 4, 3]);
  });

  it('acquire hands out a disposable lock; a second release never frees a later holder', async () => {
    const mutex = new KeyedMutex(quiet);
    let first: KeyedLock<string>;
    {
      using lock = await mutex.acquire('k');
      first = lock;
      assert.equal(mutex.isLocked('k'), true);
    }
    assert.equal(first.released, true);
    assert.equal(mutex.isLocked('k'), false);

    const holder = await mutex.acquire('k');
    const next = watch(mutex.acquire('k'));
    holder.release();
    const second = await next.promise;
    holder.release();
    first.release();
    assert.equal(mutex.isLocked('k'), true);
    assert.equal(second.key, 'k');
    second[Symbol.dispose]();
    assert.equal(mutex.size, 0);
  });
});

describe('KeyedMutex giving up', () => {
  it('a timed-out waiter leaves the queue and its timer at once', async () => {
    const release = holdEventLoop(); // before tracking: its own timer must not count
    const timers = trackTimers();
    try {
      const mutex = new KeyedMutex(quiet);
      const holder = await mutex.acquire('k');
      await assert.rejects(mutex.acquire('k', { timeoutMs: 10 }), hasCode(LifecycleErrorCode.TIMEOUT));
      await assert.rejects(mutex.acquire('k', { timeoutMs: 0 }), hasCode(LifecycleErrorCode.TIMEOUT));
      assert.deepEqual([mutex.stats().waiting, mutex.stats().timeouts, mutex.size], [0, 2, 1]);
      holder.release();
      assert.equal(mutex.size, 0);
      await settle();
      assert.equal(timers.live, 0);
    } finally {
      release();
      timers.stop();
    }
  });

  it('a waiter granted the lock in time clears its timer', async () => {
    const timers = trackTimers();
    try {
      const mutex = new KeyedMutex(quiet);
      const holder = await mutex.acquire('k');
      const waiting = mutex.acquire('k', { timeoutMs: 60_000 });
      assert.equal(timers.live, 1);
      holder.release();
      (await waiting).release();
      await settle();
      assert.equal(timers.live, 0);
    } finally {
      timers.stop();
    }
  });

  it('an aborted waiter leaves the queue and the signal, and the others keep their order', async () => {
    const mutex = new KeyedMutex(quiet);
    const holder = await mutex.acquire('k');
    const controller = new AbortController();
    const order: string[] = [];
    const first = mutex.withLock('k', () => void order.push('first'));
    const aborted = mutex.withLock('k', () => void order.push('aborted'), { signal: controller.signal });
    const last = mutex.withLock('k', () => void order.push('last'));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    const reason = new Error('user left');
    controller.abort(reason);
    await assert.rejects(
      aborted,
      (error: unknown) => hasCode(LifecycleErrorCode.ABORTED)(error) && (error as Error).cause === reason,
    );
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    assert.deepEqual([mutex.stats().waiting, mutex.stats().aborts], [2, 1]);
    holder.release();
    await Promise.all([first, last]);
    assert.deepEqual(order, ['first', 'last']);
    assert.equal(mutex.size, 0);
  });

  it('an already aborted signal fails at once and leaves no entry', async () => {
    const mutex = new KeyedMutex(quiet);
    await assert.rejects(
      mutex.acquire('k', { signal: AbortSignal.abort() }),
      hasCode(LifecycleErrorCode.ABORTED),
    );
    assert.equal(mutex.size, 0);
  });

  it('a granted waiter removes its abort listener', async () => {
    const mutex = new KeyedMutex(quiet);
    const controller = new AbortController();
    const holder = await mutex.acquire('k');
    const waiting = mutex.acquire('k', { signal: controller.signal });
    holder.release();
    (await waiting).release();
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});

describe('KeyedMutex lifecycle', () => {
  it('close rejects waiters, refuses new work, lets holders finish; close twice is fine', async () => {
    const timers = trackTimers();
    try {
      const structures = new StructureRegistry();
      const mutex = new KeyedMutex({ name: 'logs', idleMs: 1000, structures, ...quiet });
      assert.deepEqual(structures.snapshot(), [{ name: 'logs', size: 0, capacity: 100_000, utilization: 0 }]);
      await mutex.withLock('idle', () => {});
      const controller = new AbortController();
      const holder = await mutex.acquire('k');
      const waiters = [
        mutex.acquire('k', { timeoutMs: 60_000 }),
        mutex.acquire('k', { signal: controller.signal }),
      ].map((waiter) => assert.rejects(waiter, hasCode(LifecycleErrorCode.CLOSED)));
      await Promise.all([mutex.close(), mutex.close()]);
      await Promise.all(waiters);
      await assert.rejects(mutex.acquire('other'), hasCode(LifecycleErrorCode.CLOSED));
      await assert.rejects(
        mutex.withLock('other', () => {}),
        hasCode(LifecycleErrorCode.CLOSED),
      );
      assert.deepEqual(structures.snapshot(), []);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
      assert.deepEqual([mutex.isLocked('k'), mutex.size], [true, 1]);
      holder.release();
      assert.equal(mutex.size, 0);
      await settle();
      assert.equal(timers.live, 0);
    } finally {
      timers.stop();
    }
  });

  it('works with await using', async () => {
    let mutex: KeyedMutex | undefined;
    {
      await using scoped = new KeyedMutex({ idleMs: 50, ...quiet });
      mutex = scoped;
      await scoped.withLock('k', () => {});
    }
    await assert.rejects(mutex.acquire('k'), hasCode(LifecycleErrorCode.CLOSED));
    assert.equal(mutex.size, 0);
  });
});
