import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { getHeapSnapshot } from 'node:v8';
import { systemClock, type Clock } from '../clock.js';
import { LifecycleError, LifecycleErrorCode, closedError } from '../errors.js';
import { CloseOnce } from '../internal/close-once.js';
import { increment } from '../internal/counter.js';
import { toError } from '../internal/errors.js';
import { OptionReader } from '../internal/options.js';
import { stderrLogger, type Logger } from '../logger.js';
import type { HeapSnapshotWriterOptions, HeapSnapshotWriterStats } from './heap-snapshot-writer-options.js';

export type { HeapSnapshotWriterOptions, HeapSnapshotWriterStats };

const PREFIX = /^[A-Za-z0-9._-]+$/;
/** What follows `<prefix>-` in a snapshot's name: an ISO 8601 basic-format UTC time and the pid. */
const STAMP = /^\d{8}T\d{6}\.\d{3}Z-\d+\.heapsnapshot$/;

/**
 * Writes V8 heap snapshots (for Chrome DevTools' Memory tab) to a directory and keeps at most
 * `maxFiles` of them. A snapshot is heavy: taking it stops the process for a time that grows with
 * the heap (seconds for a large one) and needs about twice the heap's size in memory, so writes
 * run one at a time and never on a request path. A failed or aborted write removes its
 * partial file, so the directory only ever holds complete snapshots.
 */
export class HeapSnapshotWriter {
  readonly directory: string;
  readonly maxFiles: number;
  readonly prefix: string;
  readonly #now: Clock;
  readonly #logger: Logger;
  readonly #closing = new CloseOnce();
  /** Settles when the last accepted write has; each write starts after the one before it. */
  #tail: Promise<void> = Promise.resolve();
  /** Aborts the write in progress; close() uses it. */
  #active: AbortController | undefined;
  #pending = 0;
  #written = 0;
  #failures = 0;
  #removalFailures = 0;
  #files = 0;
  #lastPath: string | null = null;
  #lastDurationMs: number | null = null;

  constructor(options: HeapSnapshotWriterOptions) {
    const read = new OptionReader('HeapSnapshotWriter', options);
    this.directory = read.string('directory');
    this.maxFiles = read.integer('maxFiles', { min: 1, max: 100 }, 3);
    this.prefix = read.string('prefix', 'heap');
    if (!PREFIX.test(this.prefix)) read.fail('prefix', 'letters, digits, ".", "_" or "-" only');
    this.#now = read.function('now', systemClock);
    this.#logger = read.object('logger', ['warn', 'error'], stderrLogger);
  }

  /**
   * Takes a heap snapshot, streams it to `<directory>/<prefix>-<timestamp>-<pid>.heapsnapshot`
   * and removes the oldest snapshots of this prefix beyond `maxFiles`. Resolves with the path.
   * A call while another write runs waits for its turn; at most `maxFiles` calls wait (more would
   * only push snapshots of the same burst out of the directory).
   * @throws LifecycleError `SNAPSHOT_FAILED` (with the cause) when the file cannot be written,
   *   `QUEUE_FULL` when too many writes wait, `CLOSED` after or during close().
   */
  write(): Promise<string> {
    if (this.#closing.closing) return Promise.reject(closedError('HeapSnapshotWriter'));
    if (this.#pending > this.maxFiles) {
      return Promise.reject(
        new LifecycleError(
          LifecycleErrorCode.QUEUE_FULL,
          `HeapSnapshotWriter: ${this.#pending - 1} writes already wait (maxFiles ${this.maxFiles})`,
        ),
      );
    }
    this.#pending++;
    const run = this.#tail.then(async () => {
      try {
        return await this.#writeOne();
      } finally {
        this.#pending--;
      }
    });
    this.#tail = run.then(noop, noop);
    return run;
  }

  /** Paths of this prefix's snapshots in the directory, oldest first; [] when it does not exist. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw thrown;
    }
    const start = this.prefix.length + 1;
    return names
      .filter((name) => name.startsWith(`${this.prefix}-`) && STAMP.test(name.slice(start)))
      .sort((a, b) => (a.slice(start) < b.slice(start) ? -1 : a.slice(start) > b.slice(start) ? 1 : 0))
      .map((name) => join(this.directory, name));
  }

  stats(): HeapSnapshotWriterStats {
    return {
      directory: this.directory,
      prefix: this.prefix,
      maxFiles: this.maxFiles,
      written: this.#written,
      failures: this.#failures,
      removalFailures: this.#removalFailures,
      files: this.#files,
      pending: this.#pending,
      lastPath: this.#lastPath,
      lastDurationMs: this.#lastDurationMs,
    };
  }

  /**
   * Refuses new writes, aborts the one in progress (its partial file is removed; the snapshot
   * itself, once V8 started taking it, cannot be interrupted) and rejects those waiting with
   * `CLOSED`. Resolves when the last of them has settled. Idempotent.
   */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      this.#active?.abort();
      await this.#tail;
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #writeOne(): Promise<string> {
    if (this.#closing.closing) throw closedError('HeapSnapshotWriter');
    const controller = new AbortController();
    this.#active = controller;
    const path = join(this.directory, `${this.prefix}-${timestamp(this.#now())}-${process.pid}.heapsnapshot`);
    const started = performance.now();
    try {
      await this.#stream(path, controller.signal);
    } catch (thrown) {
      this.#failures = increment(this.#failures);
      if (controller.signal.aborted) throw closedError('HeapSnapshotWriter');
      throw new LifecycleError(
        LifecycleErrorCode.SNAPSHOT_FAILED,
        `HeapSnapshotWriter: cannot write "${path}": ${toError(thrown).message}`,
        { cause: thrown },
      );
    } finally {
      this.#active = undefined;
    }
    this.#written = increment(this.#written);
    this.#lastPath = path;
    this.#lastDurationMs = performance.now() - started;
    await this.#rotate(path);
    return path;
  }

  async #stream(path: string, signal: AbortSignal): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    // 'wx' never follows a symlink planted at the path nor overwrites a file that is not ours.
    const handle = await open(path, 'wx');
    try {
      signal.throwIfAborted(); // before the snapshot, the expensive part
      await pipeline(getHeapSnapshot(), handle.createWriteStream(), { signal });
    } catch (thrown) {
      await handle.close(); // some platforms refuse to remove an open file
      await this.#remove(path, 'partial heap snapshot');
      throw thrown;
    }
    // Normally a no-op: the stream closes the handle as it ends. Closing again is harmless.
    await handle.close();
  }

  /** Removes the oldest snapshots beyond maxFiles, never the one just written. */
  async #rotate(written: string): Promise<void> {
    let others: string[];
    try {
      others = (await this.list()).filter((path) => path !== written);
    } catch (thrown) {
      this.#removalFailed(thrown, this.directory, 'cannot list heap snapshots for rotation');
      return;
    }
    const excess = others.length - (this.maxFiles - 1);
    let kept = others.length + 1;
    for (const path of others.slice(0, Math.max(0, excess))) {
      if (await this.#remove(path, 'old heap snapshot')) kept--;
    }
    this.#files = kept;
  }

  async #remove(path: string, what: string): Promise<boolean> {
    try {
      await rm(path, { force: true });
      return true;
    } catch (thrown) {
      this.#removalFailed(thrown, path, `cannot remove ${what}`);
      return false;
    }
  }

  #removalFailed(thrown: unknown, path: string, message: string): void {
    this.#removalFailures = increment(this.#removalFailures);
    this.#logger.error({ writer: 'HeapSnapshotWriter', path, err: toError(thrown) }, message);
  }
}

/** ISO 8601 in basic format (20240501T123000.000Z): no ':' so the name is valid on every OS. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

function noop(): void {}
