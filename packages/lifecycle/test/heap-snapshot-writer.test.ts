import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { InvalidOptionError, LifecycleError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { HeapSnapshotWriter } from '../src/memory/heap-snapshot-writer.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { deferred, settle, waitFor } from '../src/testing/wait.js';

const execFileAsync = promisify(execFile);
const quiet = { logger: silentLogger };
const MAY_1_NOON = Date.UTC(2024, 4, 1, 12, 0, 0);

/** Runs `body` with a fresh temporary directory, removed afterwards whatever happens. */
async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'heap-snapshot-writer-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A clock that moves one second per reading, from noon on 2024-05-01. */
function steppingClock(): () => number {
  let now = MAY_1_NOON;
  return () => (now += 1000);
}

async function head(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function isSnapshotFailure(cause: string) {
  return (error: unknown) =>
    error instanceof LifecycleError &&
    error.code === LifecycleErrorCode.SNAPSHOT_FAILED &&
    (error.cause as NodeJS.ErrnoException).code === cause;
}

describe('HeapSnapshotWriter options', () => {
  const bad: [string, unknown][] = [
    ['options', 'dir'],
    ['directory', {}],
    ['directory', { directory: '' }],
    ['directory', { directory: 5 }],
    ['maxFiles', { directory: 'd', maxFiles: 0 }],
    ['maxFiles', { directory: 'd', maxFiles: 101 }],
    ['maxFiles', { directory: 'd', maxFiles: 2.5 }],
    ['prefix', { directory: 'd', prefix: '' }],
    ['prefix', { directory: 'd', prefix: '../escape' }],
    ['prefix', { directory: 'd', prefix: 'a b' }],
    ['now', { directory: 'd', now: 'today' }],
    ['logger', { directory: 'd', logger: {} }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new HeapSnapshotWriter(options as never),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION,
      );
    });
  }
});

describe('HeapSnapshotWriter writes', () => {
  it('writes complete snapshots and keeps the newest maxFiles, other files untouched', async () => {
    await withTempDir(async (dir) => {
      const others = [
        'heap-notes.txt',
        'heapdump-20240101T000000.000Z-1.heapsnapshot',
        'other-20240101T000000.000Z-1.heapsnapshot',
      ];
      for (const name of others) await writeFile(join(dir, name), 'not ours');
      // Left by an earlier run of the process: same prefix, so it counts and goes first.
      await writeFile(join(dir, 'heap-20240101T000000.000Z-1.heapsnapshot'), 'old');
      const writer = new HeapSnapshotWriter({ directory: dir, maxFiles: 3, now: steppingClock(), ...quiet });

      const paths: string[] = [];
      for (let i = 0; i < 4; i++) paths.push(await writer.write());

      assert.deepEqual(
        paths.map((p) => basename(p)),
        [1, 2, 3, 4].map((s) => `heap-20240501T12000${s}.000Z-${process.pid}.heapsnapshot`),
      );
      assert.deepEqual(await writer.list(), paths.slice(1));
      assert.deepEqual(
        (await readdir(dir)).sort(),
        [...others, ...paths.slice(1).map((p) => basename(p))].sort(),
      );
      for (const path of paths.slice(1)) assert.ok((await head(path, 64)).startsWith('{"snapshot":'));
      const parsed = JSON.parse(await readFile(paths[3] as string, 'utf8')) as { nodes: unknown[] };
      assert.ok(parsed.nodes.length > 0);
      const stats = writer.stats();
      assert.deepEqual(
        { written: stats.written, failures: stats.failures, files: stats.files, pending: stats.pending },
        { written: 4, failures: 0, files: 3, pending: 0 },
      );
      assert.equal(stats.lastPath, paths[3]);
      await writer.close();
    });
  });

  it('creates the directory and runs concurrent writes one after another', async () => {
    await withTempDir(async (dir) => {
      const directory = join(dir, 'not', 'yet');
      const clock = steppingClock();
      const writtenAtStart: number[] = [];
      const writer: HeapSnapshotWriter = new HeapSnapshotWriter({
        directory,
        maxFiles: 3,
        // Read as each write starts: every earlier write must be complete by then.
        now: () => {
          writtenAtStart.push(writer.stats().written);
          return clock();
        },
        ...quiet,
      });
      assert.deepEqual(await writer.list(), []);
      const writes = [writer.write(), writer.write(), writer.write()];
      assert.equal(writer.stats().pending, 3);
      const paths = await Promise.all(writes);
      assert.deepEqual(writtenAtStart, [0, 1, 2]);
      assert.deepEqual(await writer.list(), paths);
      await writer.close();
    });
  });

  it('refuses more than maxFiles waiting writes; 100,000 calls leave nothing queued', async () => {
    await withTempDir(async (dir) => {
      const writer = new HeapSnapshotWriter({ directory: dir, maxFiles: 2, now: steppingClock(), ...quiet });
      // Outcomes are counted, not kept: 100,000 retained errors would only bloat the snapshots.
      let fulfilled = 0;
      let refused = 0;
      let settled = 0;
      const allSettled = deferred();
      for (let i = 0; i < 100_000; i++) {
        void writer
          .write()
          .then(
            () => void fulfilled++,
            (error: unknown) => {
              if ((error as LifecycleError).code === LifecycleErrorCode.QUEUE_FULL) refused++;
            },
          )
          .finally(() => {
            if (++settled === 100_000) allSettled.resolve();
          });
      }
      await allSettled.promise;
      assert.equal(fulfilled, 3); // one writing, maxFiles waiting
      assert.equal(refused, 100_000 - 3);
      assert.equal(writer.stats().pending, 0);
      assert.equal((await writer.list()).length, 2);
      await writer.close();
    });
  });
});

describe('HeapSnapshotWriter failures', () => {
  it('an unwritable directory gives SNAPSHOT_FAILED with the cause and leaves no file', async () => {
    await withTempDir(async (dir) => {
      const blocker = join(dir, 'a-file');
      await writeFile(blocker, 'x');
      const writer = new HeapSnapshotWriter({ directory: join(blocker, 'snapshots'), ...quiet });
      await assert.rejects(writer.write(), isSnapshotFailure('ENOTDIR'));
      assert.deepEqual(await readdir(dir), ['a-file']);
      assert.equal(writer.stats().failures, 1);
      assert.equal(writer.stats().written, 0);
      await writer.close();
    });
  });

  it('never overwrites or removes a file that is already at its path', async () => {
    await withTempDir(async (dir) => {
      const writer = new HeapSnapshotWriter({ directory: dir, now: () => MAY_1_NOON, ...quiet });
      const first = await writer.write();
      await assert.rejects(writer.write(), isSnapshotFailure('EEXIST')); // same name: same millisecond
      assert.deepEqual(await writer.list(), [first]);
      assert.ok((await head(first, 64)).startsWith('{"snapshot":'));
      await writer.close();
    });
  });

  it(
    'removes the partial file when writing fails midway (file size limit)',
    {
      skip: process.platform === 'win32' && 'needs a POSIX shell for ulimit',
    },
    async () => {
      await withTempDir(async (dir) => {
        const writerUrl = new URL('../src/memory/heap-snapshot-writer.js', import.meta.url).href;
        const code = `
        import { readdir } from 'node:fs/promises';
        import { HeapSnapshotWriter } from ${JSON.stringify(writerUrl)};
        const writer = new HeapSnapshotWriter({ directory: ${JSON.stringify(dir)} });
        const out = {};
        try {
          await writer.write();
        } catch (error) {
          out.code = error.code;
          out.cause = error.cause?.code;
        }
        out.files = await readdir(${JSON.stringify(dir)});
        out.failures = writer.stats().failures;
        process.stdout.write(JSON.stringify(out));
      `;
        // ulimit -f 1: writes past 512 bytes fail with EFBIG (node ignores SIGXFSZ), the snapshot
        // file is opened and partly written, so only the clean-up can leave the directory empty.
        const { stdout } = await execFileAsync('/bin/sh', [
          '-c',
          'ulimit -f 1 && exec "$0" "$@"',
          process.execPath,
          '--input-type=module',
          '-e',
          code,
        ]);
        assert.deepEqual(JSON.parse(stdout), {
          code: LifecycleErrorCode.SNAPSHOT_FAILED,
          cause: 'EFBIG',
          files: [],
          failures: 1,
        });
      });
    },
  );
});

describe('HeapSnapshotWriter lifecycle', () => {
  it('close() rejects queued writes, leaves no timer and no file; twice is fine', async () => {
    await withTempDir(async (dir) => {
      const timers = trackTimers();
      const writer = new HeapSnapshotWriter({ directory: dir, ...quiet });
      const first = writer.write();
      const second = writer.write();
      const closing = writer.close();
      await assert.rejects(first, { code: LifecycleErrorCode.CLOSED });
      await assert.rejects(second, { code: LifecycleErrorCode.CLOSED });
      await closing;
      await writer.close();
      await settle();
      assert.equal(timers.live, 0);
      timers.stop();
      assert.deepEqual(await readdir(dir), []);
      assert.equal(writer.stats().pending, 0);
      await assert.rejects(writer.write(), { code: LifecycleErrorCode.CLOSED });
    });
  });

  it('close() during a write leaves either the complete snapshot or no file', async () => {
    await withTempDir(async (dir) => {
      const writer = new HeapSnapshotWriter({ directory: dir, ...quiet });
      const write = writer.write();
      const outcome = Promise.allSettled([write]);
      await waitFor(() => readdirSync(dir).length > 0, 'the snapshot file', 5000);
      await writer.close();
      const [result] = await outcome;
      const files = await writer.list();
      if (result?.status === 'fulfilled') {
        assert.deepEqual(files, [result.value]);
        assert.ok((await head(result.value, 64)).startsWith('{"snapshot":'));
      } else {
        assert.equal((result?.reason as LifecycleError).code, LifecycleErrorCode.CLOSED);
        assert.deepEqual(files, []);
        assert.equal(writer.stats().failures, 1);
      }
    });
  });

  it('works with await using', async () => {
    await withTempDir(async (dir) => {
      let writer: HeapSnapshotWriter | undefined;
      {
        await using scoped = new HeapSnapshotWriter({ directory: dir, ...quiet });
        writer = scoped;
      }
      await assert.rejects(writer.write(), { code: LifecycleErrorCode.CLOSED });
    });
  });
});
