import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { LifecycleErrorCode } from '../src/errors.js';
import { ResourceRegistry } from '../src/resource-registry.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';
import { captureLogger } from './support/capture-logger.js';
import { hasCode } from './support/error-code.js';
import { Conn, connFactory, manualClock, registry } from './support/resources.js';
import { deferred, settle } from '../src/testing/wait.js';

describe('ResourceRegistry maxLeaseMs', () => {
  it('reports a lease held too long once, with its key and the stack that acquired it', async () => {
    const clock = manualClock();
    const logger = captureLogger();
    await using reg = new ResourceRegistry<string, Conn>({ maxLeaseMs: 1000, logger, now: clock.now });
    const forgotten = await reg.acquire('kraken', (key) => new Conn(key));
    clock.advance(1000);
    await reg.sweep();
    assert.equal(reg.stats().suspectedLeaks, 0);

    clock.advance(1);
    const brief = await reg.acquire('kraken', (key) => new Conn(key));
    await reg.sweep();
    await reg.sweep();
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.context.key, 'kraken');
    assert.match(String(warnings[0]?.context.acquiredAt), /resource-registry-limits\.test/);
    assert.equal(reg.stats().suspectedLeaks, 1);

    const leaks = reg.suspectedLeaks();
    assert.equal(leaks.length, 1);
    assert.equal(leaks[0]?.key, 'kraken');
    assert.equal(leaks[0]?.heldMs, 1001);
    assert.match(leaks[0]?.stack ?? '', /resource-registry-limits\.test/);
    assert.doesNotMatch(leaks[0]?.stack ?? '', /resource-registry\.(js|ts):/);

    forgotten.release();
    brief.release();
    assert.deepEqual(reg.suspectedLeaks(), []);
  });

  it('reports without a stack when captureStacks is off', async () => {
    const clock = manualClock();
    await using reg = registry({ maxLeaseMs: 10, captureStacks: false, now: clock.now });
    const lease = await reg.acquire('a', (key) => new Conn(key));
    clock.advance(11);
    await reg.sweep();
    assert.equal(reg.suspectedLeaks()[0]?.stack, '');
    lease.release();
  });
});

describe('ResourceRegistry maxResources', () => {
  it('closes the least recently used idle resource to make room, and refuses when all are leased', async () => {
    await using reg = registry({ maxResources: 2 });
    const { create, made } = connFactory();
    const a = await reg.acquire('a', create);
    const b = await reg.acquire('b', create);
    await assert.rejects(reg.acquire('c', create), hasCode(LifecycleErrorCode.LIMIT_REACHED));
    assert.equal(made.length, 2);

    b.release(); // b becomes the least recently used once a is released after it
    a.release();
    const c = await reg.acquire('c', create);
    await settle();
    assert.deepEqual(
      made.map((conn) => [conn.key, conn.closes]),
      [
        ['a', 0],
        ['b', 1],
        ['c', 0],
      ],
    );
    assert.deepEqual([reg.size, reg.stats().evictions], [2, 1]);
    c.release();
  });
});

describe('ResourceRegistry abort', () => {
  it('fails an aborted waiter with ABORTED while the others get their leases; no listener is left', async () => {
    await using reg = registry();
    const gate = deferred();
    const factory = async (key: string) => {
      await gate.promise;
      return new Conn(key);
    };
    const aborting = new AbortController();
    const patient = new AbortController();
    const gaveUp = reg.acquire('a', factory, { signal: aborting.signal });
    const waits = reg.acquire('a', factory, { signal: patient.signal });
    assert.equal(getEventListeners(aborting.signal, 'abort').length, 1);

    aborting.abort(new Error('client went away'));
    await assert.rejects(gaveUp, hasCode(LifecycleErrorCode.ABORTED));
    gate.resolve();
    const lease = await waits;
    assert.equal(reg.stats().leases, 1);
    assert.equal(getEventListeners(aborting.signal, 'abort').length, 0);
    assert.equal(getEventListeners(patient.signal, 'abort').length, 0);
    lease.release();

    const { create, made } = connFactory();
    await assert.rejects(
      reg.acquire('b', create, { signal: AbortSignal.abort() }),
      hasCode(LifecycleErrorCode.ABORTED),
    );
    assert.equal(made.length, 0);
  });

  it('keeps the resource of a creation every waiter gave up on, for the sweep to close', async () => {
    const clock = manualClock();
    await using reg = registry({ maxIdleMs: 1000, now: clock.now });
    const gate = deferred();
    const { create, made } = connFactory();
    const controller = new AbortController();
    const slowCreate = async (key: string) => {
      await gate.promise;
      return create(key);
    };
    const gaveUp = reg.acquire('a', slowCreate, { signal: controller.signal });
    controller.abort();
    await assert.rejects(gaveUp, hasCode(LifecycleErrorCode.ABORTED));
    gate.resolve();
    await settle();
    assert.deepEqual([reg.size, reg.stats().leases], [1, 0]);
    clock.advance(1000);
    assert.equal(await reg.sweep(), 1);
    assert.equal(made[0]?.closes, 1);
  });
});

describe('ResourceRegistry bounds', () => {
  it('returns to zero after 100,000 acquire/release cycles over distinct keys with sweeps', async () => {
    const clock = manualClock();
    await using reg = registry({ maxIdleMs: 1000, now: clock.now });
    const factory = (key: string) => new Conn(key);
    let maxSize = 0;
    for (let i = 0; i < 100_000; i++) {
      const lease = await reg.acquire(`key-${i}`, factory);
      lease.release();
      maxSize = Math.max(maxSize, reg.size);
      if (i % 1000 === 999) {
        clock.advance(1000);
        await reg.sweep();
      }
    }
    clock.advance(1000);
    await reg.sweep();
    assert.ok(maxSize <= 1000, `size reached ${maxSize}`);
    const { resources, creating, leases, draining, closing, created, closed } = reg.stats();
    assert.deepEqual(
      { resources, creating, leases, draining, closing, created, closed },
      { resources: 0, creating: 0, leases: 0, draining: 0, closing: 0, created: 100_000, closed: 100_000 },
    );
    assert.deepEqual(reg.entries(), []);
  });

  it('does not grow the heap over acquire, release and sweep cycles', async () => {
    const clock = manualClock();
    await using reg = registry({ maxIdleMs: 1000, now: clock.now });
    const factory = (key: string) => new Conn(key);
    await assertNoLeak(
      async (i) => {
        (await reg.acquire(`key-${i}`, factory)).release();
        if (i % 1000 === 999) {
          clock.advance(1000);
          await reg.sweep();
        }
      },
      { iterations: 1000, label: 'ResourceRegistry acquire/release/sweep' },
    );
  });
});
