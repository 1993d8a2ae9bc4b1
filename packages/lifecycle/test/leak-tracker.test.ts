import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { LeakTracker, type LeakReport, type LeakTrackerOptions } from '../src/leak-tracker.js';
import { silentLogger } from '../src/logger.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';
import { captureLogger } from './support/capture-logger.js';

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('leak-tracker tests need node --expose-gc');

/** A resource whose owner forgets to close it. */
class Socket {
  readonly buffer = new Array<number>(64).fill(0);
  closes = 0;
  close(): void {
    this.closes++;
  }
}

function tracker(options: LeakTrackerOptions = {}): LeakTracker {
  return new LeakTracker({ logger: silentLogger, ...options });
}

/**
 * Tracks a fresh object and drops every reference to it before returning; the WeakRef lets the
 * test see when it has been collected.
 */
function trackAndDrop(leaks: LeakTracker, label: string, close = false): WeakRef<Socket> {
  const socket = new Socket();
  leaks.track(socket, label);
  if (close) leaks.markClosed(socket);
  return new WeakRef(socket);
}

/** Tracks every resource from this one place; returns the length of a stack taken here. */
function trackAll(leaks: LeakTracker, resources: readonly object[]): number {
  for (const resource of resources) leaks.track(resource, 'tracked from one place');
  return new Error().stack?.length ?? 0;
}

/**
 * Collects garbage until `done()` holds, letting FinalizationRegistry callbacks run between
 * collections (they run as separate tasks, some time after the collection). Bounded, so a tracker
 * that never reports fails the test instead of hanging it.
 */
async function collectUntil(done: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 200; round++) {
    await collect(1);
    if (done()) return;
  }
  assert.fail(`not ${what} after 200 collections`);
}

/**
 * Each round starts on a fresh task: `WeakRef.deref()` keeps its target alive until the current
 * job ends, so a collection in the same job as a deref could never free it.
 */
async function collect(rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('LeakTracker options', () => {
  const bad: [string, unknown][] = [
    ['options', 7],
    ['captureStacks', { captureStacks: 1 }],
    ['maxTracked', { maxTracked: 0 }],
    ['maxTracked', { maxTracked: Infinity }],
    ['maxRecentLeaks', { maxRecentLeaks: -1 }],
    ['maxRecentLeaks', { maxRecentLeaks: 1001 }],
    ['onLeak', { onLeak: 'log' }],
    ['name', { name: '' }],
    ['logger', { logger: { warn() {} } }],
    ['now', { now: 'Date.now' }],
    ['structures', { structures: [] }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new LeakTracker(options as never),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION,
      );
    });
  }
});

describe('LeakTracker reports', () => {
  it('reports an object collected without close() with its label and the stack that tracked it', async () => {
    const logger = captureLogger();
    const seen: LeakReport[] = [];
    let now = 5_000;
    await using leaks = new LeakTracker({ logger, onLeak: (leak) => void seen.push(leak), now: () => now });
    const ref = trackAndDrop(leaks, 'binance websocket');
    now = 9_000;
    await collectUntil(() => leaks.stats().leaked === 1, 'reported');

    assert.equal(ref.deref(), undefined);
    const [leak] = leaks.recentLeaks();
    assert.equal(leak?.label, 'binance websocket');
    assert.match(leak?.stack ?? '', /leak-tracker\.test/);
    assert.match(leak?.stack ?? '', /trackAndDrop/);
    assert.doesNotMatch(leak?.stack ?? '', /leak-tracker\.(js|ts):/);
    assert.deepEqual([leak?.trackedAt, leak?.detectedAt], [5_000, 9_000]);
    assert.deepEqual(seen, [leak]);
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.context.label, 'binance websocket');
    assert.match(String(warnings[0]?.context.createdAt), /leak-tracker\.test/);
    assert.deepEqual([leaks.size, leaks.stats().tracking], [0, 0]);
  });

  it('does not report an object that was closed before it was collected', async () => {
    await using leaks = tracker();
    const closedRef = trackAndDrop(leaks, 'closed', true);
    const leakedRef = trackAndDrop(leaks, 'leaked');
    await collectUntil(
      () => closedRef.deref() === undefined && leakedRef.deref() === undefined && leaks.stats().leaked > 0,
      'both collected and one reported',
    );
    // Give any callback still queued for the closed one a few more turns to show up.
    await collect(5);
    assert.deepEqual(
      leaks.recentLeaks().map((leak) => leak.label),
      ['leaked'],
    );
    const { tracked, closed, leaked, tracking } = leaks.stats();
    assert.deepEqual(
      { tracked, closed, leaked, tracking },
      { tracked: 2, closed: 1, leaked: 1, tracking: 0 },
    );
  });

  it('keeps only maxRecentLeaks reports, counts them all, and survives an onLeak that throws', async () => {
    const logger = captureLogger();
    await using leaks = new LeakTracker({
      maxRecentLeaks: 2,
      logger,
      onLeak: () => {
        throw new Error('dashboard down');
      },
    });
    for (let i = 0; i < 5; i++) trackAndDrop(leaks, `socket-${i}`);
    await collectUntil(() => leaks.stats().leaked === 5, 'all five reported');
    assert.equal(leaks.recentLeaks().length, 2);
    assert.equal(leaks.stats().onLeakErrors, 5);
    assert.equal(logger.entries.filter((entry) => entry.level === 'error').length, 5);
  });

  it('keeps one copy of a stack that many resources were tracked from, not one per record', async () => {
    await using leaks = tracker();
    const resources = Array.from({ length: 5000 }, () => ({}));
    gc();
    const before = process.memoryUsage().heapUsed;
    const stackLength = trackAll(leaks, resources);
    gc();
    const perRecord = (process.memoryUsage().heapUsed - before) / resources.length;
    // A copy per record would add at least the stack's length in bytes to every record.
    assert.ok(perRecord < stackLength, `${perRecord} B per record; the stack is ${stackLength} characters`);
    assert.equal(leaks.size, resources.length);
  });

  it('records no stack when captureStacks is off', async () => {
    await using leaks = tracker({ captureStacks: false });
    trackAndDrop(leaks, 'cheap');
    await collectUntil(() => leaks.stats().leaked === 1, 'reported');
    assert.equal(leaks.recentLeaks()[0]?.stack, '');
  });
});

describe('LeakTracker closing resources', () => {
  it('counts a resource closed through markClosed or the function track returns, once', () => {
    const leaks = tracker();
    const a = new Socket();
    const b = new Socket();
    leaks.track(a, 'a');
    const untrackB = leaks.track(b, 'b');
    assert.equal(leaks.markClosed(a), true);
    assert.equal(leaks.markClosed(a), false);
    assert.equal(untrackB(), true);
    assert.equal(untrackB(), false);
    assert.equal(leaks.markClosed(new Socket()), false);
    assert.equal(leaks.markClosed('not an object'), false);
    assert.deepEqual([leaks.stats().closed, leaks.size], [2, 0]);
  });

  it('keeps the first label when an object is tracked twice', () => {
    const leaks = tracker();
    const socket = new Socket();
    leaks.track(socket, 'first');
    leaks.track(socket, 'second');
    assert.deepEqual([leaks.stats().tracked, leaks.size], [1, 1]);
    assert.equal(leaks.markClosed(socket), true);
  });

  it('trackClose marks the resource closed whenever its close method runs, and still closes it', async () => {
    await using leaks = tracker();
    const socket = leaks.trackClose(new Socket(), 'instrumented');
    assert.equal(leaks.size, 1);
    socket.close();
    assert.equal(socket.closes, 1);
    assert.deepEqual([leaks.size, leaks.stats().closed], [0, 1]);

    const refs: WeakRef<Socket>[] = [];
    (() => {
      const dropped = leaks.trackClose(new Socket(), 'instrumented and dropped');
      refs.push(new WeakRef(dropped));
    })();
    await collectUntil(() => leaks.stats().leaked === 1, 'the instrumented resource reported');
    assert.equal(refs[0]?.deref(), undefined);

    assert.throws(() => leaks.trackClose({ close: 5 }, 'no close'), TypeError);
    assert.throws(() => leaks.track('socket' as unknown as object, 'primitive'), TypeError);
  });

  it('leaves no record behind after 10,000 tracked-and-closed objects', () => {
    const leaks = tracker();
    for (let i = 0; i < 10_000; i++) {
      const socket = i % 2 === 0 ? leaks.trackClose(new Socket(), `s${i}`) : new Socket();
      if (i % 2 === 0) socket.close();
      else {
        leaks.track(socket, `s${i}`);
        leaks.markClosed(socket);
      }
    }
    const { tracked, closed, tracking } = leaks.stats();
    assert.deepEqual({ tracked, closed, tracking }, { tracked: 10_000, closed: 10_000, tracking: 0 });
    assert.equal(leaks.size, 0);
  });

  it('does not grow the heap over track and close cycles', async () => {
    await using leaks = tracker();
    await assertNoLeak(
      (i) => {
        const socket = new Socket();
        leaks.track(socket, `socket-${i}`);
        leaks.markClosed(socket);
      },
      { label: 'LeakTracker track/markClosed' },
    );
  });

  it('stops tracking at maxTracked without failing the caller, and warns once', () => {
    const logger = captureLogger();
    const leaks = new LeakTracker({ maxTracked: 2, logger });
    const sockets = [new Socket(), new Socket(), new Socket(), new Socket()];
    const untracks = sockets.map((socket, i) => leaks.track(socket, `s${i}`));
    assert.deepEqual([leaks.size, leaks.stats().overflows], [2, 2]);
    assert.equal(untracks[3]?.(), false);
    assert.equal(logger.entries.filter((entry) => entry.level === 'warn').length, 1);
  });
});

describe('LeakTracker lifecycle', () => {
  it('close() forgets everything: nothing is reported afterwards; twice is fine', async () => {
    const structures = new StructureRegistry();
    const leaks = tracker({ name: 'sockets', maxTracked: 10, structures });
    const ref = trackAndDrop(leaks, 'dropped after close');
    assert.deepEqual(structures.snapshot(), [{ name: 'sockets', size: 1, capacity: 10, utilization: 0.1 }]);
    await leaks.close();
    await leaks.close();
    assert.deepEqual(structures.snapshot(), []);
    assert.equal(leaks.size, 0);

    await collectUntil(() => ref.deref() === undefined, 'collected');
    await collect(5);
    assert.equal(leaks.stats().leaked, 0);
    assert.throws(() => leaks.track(new Socket(), 'late'), { code: LifecycleErrorCode.CLOSED });
    assert.equal(leaks.markClosed(new Socket()), false);
  });
});
