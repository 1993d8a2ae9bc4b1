import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { PeriodicJob, type PeriodicJobOptions, type PeriodicRunContext } from '../src/periodic-job.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';
import { untilAborted } from './support/abort.js';
import { captureLogger } from './support/capture-logger.js';
import { deferred, holdEventLoop, waitFor } from '../src/testing/wait.js';

const quiet = { logger: silentLogger };
/** An interval no test waits for: the schedule stays out of the way of runNow() tests. */
const NEVER = 60_000;

/**
 * A job that is closed at the end of the test even when an assertion fails. The event loop is
 * held meanwhile: a test awaiting only the job's unref()ed timers would otherwise end early.
 */
async function withJob(
  options: PeriodicJobOptions,
  body: (job: PeriodicJob) => Promise<void>,
): Promise<void> {
  const release = holdEventLoop();
  const job = new PeriodicJob(options);
  try {
    await body(job);
  } finally {
    await job.close();
    release();
  }
}

describe('PeriodicJob options', () => {
  const run = () => {};
  const bad: [string, unknown][] = [
    ['options', null],
    ['name', { intervalMs: 10, run }],
    ['name', { name: '', intervalMs: 10, run }],
    ['intervalMs', { name: 'j', run }],
    ['intervalMs', { name: 'j', intervalMs: 0, run }],
    ['intervalMs', { name: 'j', intervalMs: 1.5, run }],
    ['intervalMs', { name: 'j', intervalMs: 2 ** 31, run }],
    ['intervalMs', { name: 'j', intervalMs: '10', run }],
    ['run', { name: 'j', intervalMs: 10 }],
    ['run', { name: 'j', intervalMs: 10, run: 'go' }],
    ['cleanup', { name: 'j', intervalMs: 10, run, cleanup: {} }],
    ['timeoutMs', { name: 'j', intervalMs: 10, run, timeoutMs: 0 }],
    ['timeoutMs', { name: 'j', intervalMs: 10, run, timeoutMs: Infinity }],
    ['closeMode', { name: 'j', intervalMs: 10, run, closeMode: 'kill' }],
    ['closeTimeoutMs', { name: 'j', intervalMs: 10, run, closeTimeoutMs: -1 }],
    ['closeTimeoutMs', { name: 'j', intervalMs: 10, run, closeTimeoutMs: 2 ** 31 }],
    ['runOnStart', { name: 'j', intervalMs: 10, run, runOnStart: 'yes' }],
    ['logger', { name: 'j', intervalMs: 10, run, logger: { warn() {} } }],
    ['now', { name: 'j', intervalMs: 10, run, now: 5 }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new PeriodicJob(options as never),
        (error: unknown) =>
          error instanceof TypeError &&
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION,
      );
    });
  }
});

describe('PeriodicJob schedule', () => {
  it('runs every interval and records each run in stats with the injected clock', async () => {
    let now = 1_000;
    let calls = 0;
    await withJob(
      { name: 'ticker', intervalMs: 10, run: () => void calls++, now: () => (now += 10), ...quiet },
      async (job) => {
        await waitFor(() => job.stats().runs >= 3, 'three runs', 5000);
        const stats = job.stats();
        assert.equal(calls, stats.runs);
        assert.equal(stats.failures, 0);
        assert.equal(stats.skipped, 0);
        assert.equal(stats.lastError, null);
        assert.ok(stats.lastStartedAt !== null && stats.lastStartedAt > 1_000);
        assert.ok(stats.lastFinishedAt !== null && stats.lastFinishedAt > stats.lastStartedAt);
        assert.ok(stats.lastDurationMs !== null && stats.lastDurationMs >= 0);
      },
    );
  });

  it('runs once right after construction with runOnStart', async () => {
    const runNumbers: number[] = [];
    await withJob(
      { name: 'eager', intervalMs: NEVER, runOnStart: true, run: (c) => void runNumbers.push(c.runNumber) },
      async () => {
        await waitFor(() => runNumbers.length === 1, 'the first run', 5000);
        assert.deepEqual(runNumbers, [1]);
      },
    );
  });

  it('never overlaps: ticks during a run are skipped, counted and logged', async () => {
    const logger = captureLogger();
    const gate = deferred();
    let calls = 0;
    const run = async () => {
      calls++;
      if (calls === 1) await gate.promise;
    };
    await withJob({ name: 'slow', intervalMs: 10, run, logger }, async (job) => {
      await waitFor(() => job.stats().skipped >= 3, 'three skipped ticks', 5000);
      const held = job.stats();
      assert.equal(held.runs, 1);
      assert.equal(calls, 1);
      assert.equal(held.running, true);
      assert.ok(held.consecutiveSkipped >= 3);
      const warnings = logger.entries.filter((e) => e.level === 'warn');
      assert.ok(warnings.length >= 3);
      assert.deepEqual(
        warnings.slice(0, 3).map((w) => w.context),
        [1, 2, 3].map((n) => ({ job: 'slow', consecutiveSkipped: n })),
      );

      gate.resolve();
      await waitFor(() => job.stats().runs >= 2, 'the next run', 5000);
      assert.equal(job.stats().consecutiveSkipped, 0);
      assert.ok(job.stats().skipped >= held.skipped);
    });
  });

  it('counts a throwing run and a rejecting run as failures, logs them and keeps the schedule', async () => {
    const logger = captureLogger();
    const run = ({ runNumber }: PeriodicRunContext) => {
      if (runNumber === 1) throw new RangeError('thrown synchronously');
      if (runNumber === 2) return Promise.reject(new Error('rejected'));
      return undefined;
    };
    await withJob({ name: 'flaky', intervalMs: 10, run, logger }, async (job) => {
      await waitFor(() => job.stats().runs >= 3, 'three runs', 5000);
      const stats = job.stats();
      assert.equal(stats.failures, 2);
      assert.equal(stats.lastError, null, 'a later success clears lastError');
      const errors = logger.entries.filter((e) => e.level === 'error');
      assert.equal(errors.length, 2);
      assert.ok(errors[0]?.context.err instanceof RangeError);
      assert.ok(errors[1]?.context.err instanceof Error);
      for (const entry of errors) assert.equal(entry.context.job, 'flaky');
    });
  });

  it('reports a failure through runNow() and turns a non-Error throw into an Error', async () => {
    await withJob(
      {
        name: 'odd',
        intervalMs: NEVER,
        run: () => {
          throw 'plain string'; // eslint-disable-line @typescript-eslint/only-throw-error
        },
        ...quiet,
      },
      async (job) => {
        const outcome = await job.runNow();
        assert.equal(outcome.ok, false);
        assert.ok(outcome.error instanceof Error);
        assert.equal(job.stats().failures, 1);
        assert.equal(typeof job.stats().lastError, 'string');
      },
    );
  });
});

describe('PeriodicJob cleanup hook', () => {
  it('runs after a success, a failure and an aborted run', async () => {
    let cleanups = 0;
    const run = async (context: PeriodicRunContext) => {
      if (context.runNumber === 2) throw new Error('failed run');
      if (context.runNumber === 3) await untilAborted(context.signal);
    };
    await withJob(
      { name: 'tidy', intervalMs: NEVER, timeoutMs: 20, run, cleanup: () => void cleanups++, ...quiet },
      async (job) => {
        assert.equal((await job.runNow()).ok, true);
        assert.equal(cleanups, 1);
        assert.equal((await job.runNow()).ok, false);
        assert.equal(cleanups, 2);
        const aborted = await job.runNow();
        assert.equal(aborted.ok, false);
        assert.equal(cleanups, 3);
        assert.equal(job.stats().cleanupFailures, 0);
      },
    );
  });

  it('counts a throwing cleanup apart from run failures', async () => {
    const logger = captureLogger();
    const cleanup = () => Promise.reject(new Error('cleanup broke'));
    await withJob({ name: 'messy', intervalMs: NEVER, run: () => {}, cleanup, logger }, async (job) => {
      const outcome = await job.runNow();
      assert.equal(outcome.ok, true);
      const stats = job.stats();
      assert.equal(stats.cleanupFailures, 1);
      assert.equal(stats.failures, 0);
      const errors = logger.entries.filter((e) => e.level === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.context.job, 'messy');
    });
  });
});

describe('PeriodicJob runNow', () => {
  it('hands a second caller the outcome of the run in progress instead of starting another', async () => {
    const gate = deferred();
    let calls = 0;
    const run = async () => {
      calls++;
      await gate.promise;
    };
    await withJob({ name: 'manual', intervalMs: NEVER, run, ...quiet }, async (job) => {
      const first = job.runNow();
      const second = job.runNow();
      assert.equal(second, first);
      assert.equal(job.running, true);
      gate.resolve();
      const [a, b] = await Promise.all([first, second]);
      assert.equal(a, b);
      assert.equal(a.ok, true);
      assert.equal(calls, 1);
      assert.equal(job.stats().runs, 1);
      assert.equal(job.running, false);
    });
  });

  it('gives a run that calls runNow() itself its own promise, not a second run', async () => {
    let inner: Promise<unknown> | undefined;
    let calls = 0;
    const job = new PeriodicJob({
      name: 'reentrant',
      intervalMs: NEVER,
      run: () => {
        calls++;
        inner = job.runNow();
      },
      ...quiet,
    });
    try {
      const outer = job.runNow();
      await outer;
      assert.equal(inner, outer);
      assert.equal(calls, 1);
    } finally {
      await job.close();
    }
  });

  it('rejects with CLOSED after close()', async () => {
    const job = new PeriodicJob({ name: 'done', intervalMs: NEVER, run: () => {}, ...quiet });
    await job.close();
    await assert.rejects(job.runNow(), (error: unknown) => {
      return error instanceof LifecycleError && error.code === LifecycleErrorCode.CLOSED;
    });
  });
});

describe('PeriodicJob leak check', () => {
  it('assertNoLeak is green over 100,000 runs, failing ones included', async () => {
    let payload: string[] = [];
    await withJob(
      {
        name: 'many-runs',
        intervalMs: NEVER,
        run: ({ runNumber }) => {
          payload = [`run ${runNumber}`];
          if (runNumber % 5 === 0) throw new Error('every fifth run fails');
        },
        cleanup: () => {
          payload = [];
        },
        ...quiet,
      },
      async (job) => {
        await assertNoLeak(() => job.runNow(), {
          iterations: 10_000,
          samples: 10,
          label: 'PeriodicJob runNow',
        });
        const stats = job.stats();
        assert.ok(stats.runs >= 100_000, `runs: ${stats.runs}`);
        assert.equal(stats.failures, stats.runs / 5);
        assert.deepEqual(payload, []);
      },
    );
  });
});

describe('PeriodicJob timeout', () => {
  it('aborts the run signal with a TIMEOUT reason once timeoutMs has passed', async () => {
    let seen: AbortSignal | undefined;
    const run = (context: PeriodicRunContext) => {
      seen = context.signal;
      return untilAborted(context.signal);
    };
    await withJob({ name: 'bounded', intervalMs: NEVER, timeoutMs: 15, run, ...quiet }, async (job) => {
      const outcome = await job.runNow();
      assert.equal(seen?.aborted, true);
      assert.equal(outcome.ok, false);
      assert.ok(outcome.error instanceof LifecycleError);
      assert.equal(outcome.error.code, LifecycleErrorCode.TIMEOUT);
      assert.equal(job.stats().failures, 1);
    });
  });
});
