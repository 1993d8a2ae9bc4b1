import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { ResourceRegistry } from '../src/resource-registry.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { captureLogger } from './support/capture-logger.js';
import { hasCode } from './support/error-code.js';
import { Conn, connFactory, manualClock, registry } from './support/resources.js';
import { deferred, settle, waitFor } from '../src/testing/wait.js';

describe('ResourceRegistry options', () => {
  const bad: [string, unknown][] = [
    ['options', 'fast'],
    ['maxIdleMs', { maxIdleMs: -1 }],
    ['maxIdleMs', { maxIdleMs: Infinity }],
    ['maxIdleMs', { maxIdleMs: '60000' }],
    ['sweepIntervalMs', { sweepIntervalMs: 0 }],
    ['sweepIntervalMs', { sweepIntervalMs: 2 ** 31 }],
    ['maxLeaseMs', { maxLeaseMs: 0 }],
    ['maxLeaseMs', { maxLeaseMs: 1.5 }],
    ['captureStacks', { captureStacks: 'yes' }],
    ['maxResources', { maxResources: 0 }],
    ['maxResources', { maxResources: Infinity }],
    ['close', { close: 'close' }],
    ['keyOf', { keyOf: 'id' }],
    ['name', { name: '' }],
    ['logger', { logger: {} }],
    ['now', { now: 5 }],
    ['structures', { structures: {} }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new ResourceRegistry(options as never),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION,
      );
    });
  }
});

describe('ResourceRegistry acquire', () => {
  it('calls the factory once for concurrent acquires of one key and leases it to every caller', async () => {
    await using reg = registry();
    const gate = deferred();
    let calls = 0;
    const factory = async (key: string) => {
      calls++;
      await gate.promise;
      return new Conn(key);
    };
    const pending = Array.from({ length: 10 }, () => reg.acquire('binance', factory));
    gate.resolve();
    const leases = await Promise.all(pending);
    assert.equal(calls, 1);
    assert.equal(new Set(leases.map((lease) => lease.resource)).size, 1);
    assert.deepEqual(
      reg.entries().map(({ id, state, leases: count }) => ({ id, state, leases: count })),
      [{ id: 'binance', state: 'ready', leases: 10 }],
    );
    for (const lease of leases) lease.release();
    const stats = reg.stats();
    assert.deepEqual([stats.resources, stats.leases, stats.created], [1, 0, 1]);
  });

  it('counts leases; release twice is harmless; using and await using release', async () => {
    await using reg = registry();
    const { create } = connFactory();
    const first = await reg.acquire('a', create);
    const second = await reg.acquire('a', create);
    assert.equal(reg.stats().leases, 2);
    first.release();
    first.release();
    assert.equal(reg.stats().leases, 1);
    {
      using _third = await reg.acquire('a', create);
      await using _fourth = await reg.acquire('a', create);
      assert.equal(reg.stats().leases, 3);
    }
    assert.equal(reg.stats().leases, 1);
    second.release();
    assert.equal(reg.stats().leases, 0);
  });

  it('indexes keys by keyOf: tuples share a resource by value by default', async () => {
    await using reg = new ResourceRegistry<[string, boolean, string], Conn>({ logger: silentLogger });
    let calls = 0;
    const create = ([exchange]: [string, boolean, string]) => {
      calls++;
      return new Conn(exchange);
    };
    const a = await reg.acquire(['binance', false, 'spot'], create);
    const b = await reg.acquire(['binance', false, 'spot'], create);
    const c = await reg.acquire(['binance', true, 'spot'], create);
    assert.equal(a.resource, b.resource);
    assert.notEqual(a.resource, c.resource);
    assert.equal(calls, 2);

    await using custom = new ResourceRegistry<{ id: number }, Conn>({
      keyOf: (key) => (key.id === 0 ? (undefined as unknown as string) : `id-${key.id}`),
      logger: silentLogger,
    });
    const lease = await custom.acquire({ id: 7 }, () => new Conn('7'));
    assert.equal(custom.entries()[0]?.id, 'id-7');
    lease.release();
    await assert.rejects(
      custom.acquire({ id: 0 }, () => new Conn('0')),
      TypeError,
    );
  });
});

describe('ResourceRegistry idle sweep', () => {
  it('closes only unleased resources idle for maxIdleMs, never a leased one however old', async () => {
    const clock = manualClock();
    await using reg = registry({ maxIdleMs: 1000, now: clock.now });
    const { create, made } = connFactory();
    (await reg.acquire('idle', create)).release();
    const held = await reg.acquire('held', create);

    clock.advance(999);
    assert.equal(await reg.sweep(), 0);
    clock.advance(1);
    assert.equal(await reg.sweep(), 1);
    assert.deepEqual(
      made.map((conn) => [conn.key, conn.closes]),
      [
        ['idle', 1],
        ['held', 0],
      ],
    );

    clock.advance(30 * 24 * 3600_000);
    assert.equal(await reg.sweep(), 0);
    assert.equal(held.resource.closes, 0);
    held.release();
    clock.advance(1000);
    assert.equal(await reg.sweep(), 1);
    assert.equal(held.resource.closes, 1);
    assert.equal(reg.size, 0);
  });

  it('measures idle time from the last acquire or release, not from creation', async () => {
    const clock = manualClock();
    await using reg = registry({ maxIdleMs: 1000, now: clock.now });
    const { create, made } = connFactory();
    const lease = await reg.acquire('a', create);
    clock.advance(5000); // used for far longer than maxIdleMs
    lease.release();
    clock.advance(999);
    assert.equal(await reg.sweep(), 0);

    (await reg.acquire('a', create)).release();
    clock.advance(999);
    assert.equal(await reg.sweep(), 0);
    assert.equal(made[0]?.closes, 0);
    clock.advance(1);
    assert.equal(await reg.sweep(), 1);
    assert.equal(made[0]?.closes, 1);
  });

  it('closeIdle closes unleased resources idle for an explicit age', async () => {
    const clock = manualClock();
    await using reg = registry({ now: clock.now });
    const { create, made } = connFactory();
    (await reg.acquire('old', create)).release();
    clock.advance(90 * 60_000);
    (await reg.acquire('recent', create)).release();
    const leased = await reg.acquire('leased-old', create);
    clock.advance(60 * 60_000);

    assert.equal(await reg.closeIdle(2 * 3600_000), 1);
    assert.deepEqual(
      made.map((conn) => conn.closes),
      [1, 0, 0],
    );
    await assert.rejects(reg.closeIdle(-1), RangeError);
    await assert.rejects(reg.closeIdle(Number.NaN), RangeError);
    leased.release();
  });

  it('runs the sweep on a timer, and a hung close stalls neither the sweep nor its key', async () => {
    const hung = deferred();
    const closed: string[] = [];
    await using reg = registry({
      maxIdleMs: 0,
      sweepIntervalMs: 10,
      close: async (conn) => {
        if (conn.key === 'hung') await hung.promise;
        closed.push(conn.key);
      },
    });
    const { create, made } = connFactory();
    (await reg.acquire('hung', create)).release();
    (await reg.acquire('b', create)).release();
    await waitFor(() => closed.includes('b'), 'the sweep to close b', 5000);
    assert.equal(reg.stats().closing, 1);

    // The key of a resource still closing gets a fresh resource at once.
    const fresh = await reg.acquire('hung', create);
    assert.notEqual(fresh.resource, made[0]);
    fresh.release();
    (await reg.acquire('c', create)).release();
    await waitFor(() => closed.includes('c'), 'the sweep to close c', 5000);

    hung.resolve();
    await waitFor(() => reg.stats().closing === 0, 'the hung close to finish', 5000);
    assert.equal(closed.filter((key) => key === 'hung').length, 2);
  });
});

describe('ResourceRegistry close errors', () => {
  it('logs a close that throws or rejects with its key, counts it and removes the resource', async () => {
    const logger = captureLogger();
    await using reg = new ResourceRegistry<string, Conn>({
      maxIdleMs: 0,
      logger,
      close: (conn) => {
        if (conn.key === 'throws') throw new Error('socket already destroyed');
        if (conn.key === 'rejects') return Promise.reject(new Error('timeout while closing'));
        conn.close();
      },
    });
    const { create, made } = connFactory();
    for (const key of ['throws', 'rejects', 'ok']) (await reg.acquire(key, create)).release();

    assert.equal(await reg.sweep(), 3);
    const stats = reg.stats();
    assert.deepEqual([stats.resources, stats.closing, stats.closed, stats.closeErrors], [0, 0, 3, 2]);
    const errors = logger.entries.filter((entry) => entry.level === 'error');
    assert.deepEqual(errors.map((entry) => entry.context.key).sort(), ['rejects', 'throws']);
    assert.ok(errors.every((entry) => entry.context.err instanceof Error));

    (await reg.acquire('throws', create)).release();
    assert.equal(made.length, 4);
  });
});

describe('ResourceRegistry factory failures', () => {
  it('leaves no entry, hands every waiter FACTORY_FAILED with the cause, and retries next time', async () => {
    await using reg = registry();
    const cause = new Error('exchange unreachable');
    const gate = deferred();
    const failing = async (): Promise<Conn> => {
      await gate.promise;
      throw cause;
    };
    const waiters = Array.from({ length: 3 }, () => reg.acquire('a', failing));
    gate.resolve();
    const outcomes = await Promise.allSettled(waiters);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      const error: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
      assert.ok(hasCode(LifecycleErrorCode.FACTORY_FAILED)(error));
      assert.equal((error as Error).cause, cause);
    }
    assert.equal(reg.size, 0);
    assert.equal(reg.stats().factoryErrors, 1);

    await assert.rejects(
      reg.acquire('a', () => {
        throw cause;
      }),
      hasCode(LifecycleErrorCode.FACTORY_FAILED),
    );
    const lease = await reg.acquire('a', (key) => new Conn(key));
    assert.equal(lease.resource.key, 'a');
    assert.deepEqual([reg.size, reg.stats().factoryErrors], [1, 2]);
    lease.release();
  });

  it('refuses a result it cannot close, unless a close option says how', async () => {
    await using reg = new ResourceRegistry<string, object>({ logger: silentLogger });
    await assert.rejects(
      reg.acquire('a', () => ({ id: 1 })),
      (error: unknown) =>
        hasCode(LifecycleErrorCode.FACTORY_FAILED)(error) && (error as Error).cause instanceof TypeError,
    );
    assert.equal(reg.size, 0);

    const closed: object[] = [];
    await using custom = new ResourceRegistry<string, object>({
      maxIdleMs: 0,
      close: (resource) => void closed.push(resource),
      logger: silentLogger,
    });
    await assert.rejects(
      custom.acquire('a', () => undefined as unknown as object),
      hasCode(LifecycleErrorCode.FACTORY_FAILED),
    );
    const lease = await custom.acquire('a', () => ({ id: 1 }));
    lease.release();
    await custom.sweep();
    assert.deepEqual(closed, [{ id: 1 }]);
  });
});

describe('ResourceRegistry closeKey', () => {
  it('closes an unleased resource now and reports an absent key', async () => {
    await using reg = registry();
    const { create, made } = connFactory();
    (await reg.acquire('a', create)).release();
    assert.equal(await reg.closeKey('a'), 'closed');
    assert.equal(made[0]?.closes, 1);
    assert.equal(await reg.closeKey('a'), 'absent');
  });

  it('drains a leased resource: closed on its last release, while the key gets a fresh one', async () => {
    await using reg = registry();
    const { create, made } = connFactory();
    const first = await reg.acquire('a', create);
    const second = await reg.acquire('a', create);
    assert.equal(await reg.closeKey('a'), 'draining');
    assert.equal(reg.stats().draining, 1);

    const fresh = await reg.acquire('a', create);
    assert.notEqual(fresh.resource, first.resource);
    assert.deepEqual(
      reg.entries().map(({ state, leases }) => [state, leases]),
      [
        ['ready', 1],
        ['draining', 2],
      ],
    );

    first.release();
    await settle();
    assert.equal(made[0]?.closes, 0);
    second.release();
    await settle();
    assert.equal(made[0]?.closes, 1);
    assert.equal(made[1]?.closes, 0);
    assert.deepEqual([reg.stats().draining, reg.stats().closing], [0, 0]);
    fresh.release();
  });

  it('force closes a leased resource now and makes its leases inert', async () => {
    await using reg = registry();
    const { create, made } = connFactory();
    const lease = await reg.acquire('a', create);
    assert.equal(await reg.closeKey('a', { force: true }), 'closed');
    assert.equal(made[0]?.closes, 1);
    assert.equal(reg.stats().leases, 0);
    lease.release();
    assert.equal(reg.stats().leases, 0);
  });

  it('force closing a resource still being created aborts its factory and fails its waiters', async () => {
    await using reg = registry();
    const gate = deferred();
    let factorySignal: AbortSignal | undefined;
    const waiter = reg.acquire('a', async (key, { signal }) => {
      factorySignal = signal;
      await gate.promise;
      return new Conn(key);
    });
    await settle();
    const closing = reg.closeKey('a', { force: true });
    assert.equal(factorySignal?.aborted, true);
    gate.resolve();
    assert.equal(await closing, 'closed');
    await assert.rejects(waiter, hasCode(LifecycleErrorCode.CLOSED));
    assert.deepEqual([reg.size, reg.stats().closed], [0, 1]);
  });
});

describe('ResourceRegistry lifecycle', () => {
  it('close() closes every resource, leased or not, after the factories in flight; twice is fine', async () => {
    const reg = registry();
    const { create, made } = connFactory();
    const leased = await reg.acquire('leased', create);
    (await reg.acquire('idle', create)).release();
    const gate = deferred();
    let factorySignal: AbortSignal | undefined;
    const waiter = reg.acquire('creating', async (key, { signal }) => {
      factorySignal = signal;
      await gate.promise;
      return create(key);
    });
    await settle();

    const closing = reg.close();
    assert.equal(reg.close(), closing);
    await settle();
    assert.equal(factorySignal?.aborted, true);
    gate.resolve();
    await closing;
    await reg.close();

    assert.deepEqual(
      made.map((conn) => [conn.key, conn.closes]),
      [
        ['leased', 1],
        ['idle', 1],
        ['creating', 1],
      ],
    );
    await assert.rejects(waiter, hasCode(LifecycleErrorCode.CLOSED));
    await assert.rejects(reg.acquire('x', create), hasCode(LifecycleErrorCode.CLOSED));
    leased.release();
    const stats = reg.stats();
    assert.deepEqual([stats.resources, stats.leases, stats.closing, stats.closed], [0, 0, 0, 3]);
  });

  it('registers with a structure registry and unregisters on close', async () => {
    const structures = new StructureRegistry();
    const reg = registry({ name: 'exchanges', maxResources: 100, structures });
    (await reg.acquire('a', (key) => new Conn(key))).release();
    assert.deepEqual(structures.snapshot(), [
      { name: 'exchanges', size: 1, capacity: 100, utilization: 0.01 },
    ]);
    await reg.close();
    assert.deepEqual(structures.snapshot(), []);
  });

  it('leaves no live timer after close', async () => {
    const timers = trackTimers();
    try {
      const reg = registry({ sweepIntervalMs: 10 });
      (await reg.acquire('a', (key) => new Conn(key))).release();
      assert.ok(timers.live >= 1, 'the sweep timer should be seen');
      await reg.close();
      await settle();
      assert.equal(timers.live, 0);
    } finally {
      timers.stop();
    }
  });
});
