import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { enableGcAtRuntime, forceGc, gcAvailable } from '../src/memory/force-gc.js';
import { settle, waitFor } from '../src/testing/wait.js';

const execFileAsync = promisify(execFile);

// The compiled modules beside this compiled test: build/src/...
const forceGcUrl = new URL('../src/memory/force-gc.js', import.meta.url).href;
const errorsUrl = new URL('../src/errors.js', import.meta.url).href;

/** Runs an ES module in a fresh node started without --expose-gc; returns the JSON it prints. */
async function runWithoutExposeGc(code: string): Promise<Record<string, unknown>> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', code], { env });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('forceGc options', () => {
  const bad: [string, unknown][] = [
    ['full', { full: 'yes' }],
    ['full', { full: 1 }],
    ['options', 'full'],
    ['options', [true]],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => forceGc(options as never),
        (error: unknown) => error instanceof InvalidOptionError && error.option === option,
      );
    });
  }
});

describe('forceGc with --expose-gc', () => {
  it('is available, and enableGcAtRuntime has nothing to do', () => {
    assert.equal(typeof globalThis.gc, 'function');
    assert.equal(gcAvailable(), true);
    assert.equal(enableGcAtRuntime(), true);
  });

  it('collects unreachable objects and reports what it freed', async () => {
    let garbage: object[] | null = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    const ref = new WeakRef(garbage);
    garbage = null;
    await settle(); // a WeakRef keeps its target alive until the job that created it ends
    const result = forceGc();
    assert.equal(ref.deref(), undefined);
    assert.ok(result.freedBytes > 0, `freed ${result.freedBytes} bytes`);
    assert.equal(result.freedBytes, result.heapUsedBefore - result.heapUsedAfter);
    assert.ok(result.pauseMs >= 0);
  });

  it('never reports negative freed bytes; the raw delta keeps the sign', () => {
    for (let i = 0; i < 20; i++) {
      const result = forceGc({ full: i % 2 === 0 });
      assert.equal(result.heapDeltaBytes, result.heapUsedAfter - result.heapUsedBefore);
      assert.equal(result.freedBytes, Math.max(0, -result.heapDeltaBytes));
      assert.ok(result.freedBytes >= 0);
    }
  });

  it('runs a minor collection with full: false and a major one by default', async () => {
    await settle(); // entries of earlier tests' collections are delivered before this observer exists
    const forcedKinds: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        // Node's typings omit `detail` on PerformanceEntry; gc entries carry { kind, flags }.
        const { kind, flags } = (entry as unknown as { detail: { kind: number; flags: number } }).detail;
        if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forcedKinds.push(kind);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      forceGc({ full: false });
      forceGc();
      await waitFor(
        () => forcedKinds.includes(constants.NODE_PERFORMANCE_GC_MAJOR),
        'the major gc entry',
        5000,
      );
    } finally {
      observer.disconnect();
    }
    assert.equal(forcedKinds[0], constants.NODE_PERFORMANCE_GC_MINOR);
  });
});

describe('forceGc in a process started without --expose-gc', () => {
  it('is unavailable and throws GC_UNAVAILABLE', async () => {
    const out = await runWithoutExposeGc(`
      import { forceGc, gcAvailable } from ${JSON.stringify(forceGcUrl)};
      import { LifecycleError } from ${JSON.stringify(errorsUrl)};
      const out = { exposed: typeof globalThis.gc, available: gcAvailable() };
      try {
        forceGc();
      } catch (error) {
        out.code = error.code;
        out.lifecycleError = error instanceof LifecycleError;
      }
      process.stdout.write(JSON.stringify(out));
    `);
    assert.deepEqual(out, {
      exposed: 'undefined',
      available: false,
      code: LifecycleErrorCode.GC_UNAVAILABLE,
      lifecycleError: true,
    });
  });

  it('becomes available with enableGcAtRuntime, without a global gc in any context', async () => {
    const out = await runWithoutExposeGc(`
      import vm from 'node:vm';
      import { enableGcAtRuntime, forceGc, gcAvailable } from ${JSON.stringify(forceGcUrl)};
      const before = gcAvailable();
      const enabled = enableGcAtRuntime();
      const again = enableGcAtRuntime();
      let garbage = Array.from({ length: 200000 }, (_, i) => ({ i }));
      const ref = new WeakRef(garbage);
      garbage = null;
      await new Promise((resolve) => setImmediate(resolve));
      const full = forceGc();
      const minor = forceGc({ full: false });
      process.stdout.write(JSON.stringify({
        before, enabled, again, after: gcAvailable(),
        collected: ref.deref() === undefined,
        freed: full.freedBytes > 0,
        minorMeasured: minor.pauseMs >= 0,
        exposed: typeof globalThis.gc,
        inNewContext: vm.runInNewContext('typeof gc'),
      }));
    `);
    assert.deepEqual(out, {
      before: false,
      enabled: true,
      again: true,
      after: true,
      collected: true,
      freed: true,
      minorMeasured: true,
      exposed: 'undefined',
      inNewContext: 'undefined',
    });
  });
});
