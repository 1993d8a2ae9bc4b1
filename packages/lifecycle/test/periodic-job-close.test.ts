import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { LifecycleError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { PeriodicJob, type PeriodicRunContext } from '../src/periodic-job.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { untilAborted } from './support/abort.js';
import { deferred, holdEventLoop, settle, waitFor } from '../src/testing/wait.js';

const quiet = { logger: silentLogger };
/** An interval no test waits for: only runNow() starts a run. */
const NEVER = 60_000;

describe('PeriodicJob close', () => {
  it("with closeMode 'abort' aborts the run in progress and waits for it to settle", async () => {
    let signal: AbortSignal | undefined;
    let settled = false;
    const run = async (context: PeriodicRunContext) => {
      signal = context.signal;
      try {
        await untilAborted(context.signal);
      } finally {
        settled = true;
      }
    };
    const job = new PeriodicJob({ name: 'abortable', intervalMs: NEVER, run, ...quiet });
    const outcome = job.runNow();
    await waitFor(() => signal !== undefined, 'the run to start', 5000);
    await job.close();
    assert.equal(settled, true);
    assert.equal(signal?.aborted, true);
    assert.ok(signal?.reason instanceof LifecycleError);
    assert.equal(signal.reason.code, LifecycleErrorCode.CLOSED);
    assert.equal((await outcome).ok, false);
    const stats = job.stats();
    assert.deepEqual(
      { failures: stats.failures, abortedByClose: stats.abortedByClose },
      { failures: 0, abortedByClose: 1 },
    );
  });

  it("with closeMode 'await' lets the run in progress finish without aborting it", async () => {
    const gate = deferred();
    let signal: AbortSignal | undefined;
    const run = async (context: PeriodicRunContext) => {
      signal = context.signal;
      await gate.promise;
    };
    const job = new PeriodicJob({ name: 'patient', intervalMs: NEVER, closeMode: 'await', run, ...quiet });
    const outcome = job.runNow();
    await waitFor(() => signal !== undefined, 'the run to start', 5000);
    let closed = false;
    const closing = job.close().then(() => (closed = true));
    await settle();
    assert.equal(closed, false, 'close() waits for the run');
    assert.equal(signal?.aborted, false);
    gate.resolve();
    await closing;
    assert.equal((await outcome).ok, true);
    assert.equal(job.stats().failures, 0);
  });

  for (const closeMode of ['abort', 'await'] as const) {
    it(`with closeMode '${closeMode}' stops waiting after closeTimeoutMs for a run that ignores its signal`, async () => {
      const gate = deferred();
      const job = new PeriodicJob({
        name: `stubborn-${closeMode}`,
        intervalMs: NEVER,
        closeMode,
        closeTimeoutMs: 20,
        run: () => gate.promise,
        ...quiet,
      });
      const release = holdEventLoop();
      try {
        const outcome = job.runNow();
        await waitFor(() => job.running, 'the run to start', 5000);
        await job.close();
        assert.equal(job.running, true, 'the run is still in progress when close() resolves');
        gate.resolve();
        assert.equal((await outcome).ok, true);
        assert.equal(job.running, false);
      } finally {
        release();
      }
    });
  }

  it('is idempotent: a second close() returns the same promise', async () => {
    const job = new PeriodicJob({ name: 'twice', intervalMs: 10, run: () => {}, ...quiet });
    const first = job.close();
    const second = job.close();
    assert.equal(second, first);
    await first;
    await job.close();
  });

  it('leaves no live timer (schedule, run timeout, close wait) and no listener', async () => {
    const timers = trackTimers();
    try {
      let signal: AbortSignal | undefined;
      const job = new PeriodicJob({
        name: 'timers',
        intervalMs: 10,
        timeoutMs: 10_000,
        run: (context) => {
          signal = context.signal;
          return untilAborted(context.signal);
        },
        ...quiet,
      });
      await waitFor(() => job.running, 'a scheduled run', 5000);
      assert.ok(timers.live >= 2, 'the interval and the run timeout are tracked');
      await job.close();
      await settle();
      assert.equal(timers.live, 0);
      assert.ok(signal);
      assert.equal(getEventListeners(signal, 'abort').length, 0, 'no abort listener is left');
    } finally {
      timers.stop();
    }
  });

  it('works with await using', async () => {
    let signal: AbortSignal | undefined;
    const run = (context: PeriodicRunContext) => {
      signal = context.signal;
      return untilAborted(context.signal);
    };
    {
      await using job = new PeriodicJob({ name: 'scoped', intervalMs: NEVER, run, ...quiet });
      void job.runNow();
      await waitFor(() => signal !== undefined, 'the run to start', 5000);
    }
    assert.equal(signal?.aborted, true);
  });
});
