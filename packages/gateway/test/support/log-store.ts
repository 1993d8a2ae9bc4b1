import { execFileSync } from 'node:child_process';
import { constants, linkSync, mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, StructureRegistry } from '@steadystate/lifecycle';
import { manualClock, type ManualClock } from '@steadystate/lifecycle/testing';
import { SessionLogStore, type SessionLogStoreOptions } from '../../src/scans/session-log-store.js';

const HOUR = 3_600_000;

/** A session log store on a temp dir of its own, with a clock the test moves. */
export interface TestLogStore extends AsyncDisposable {
  store: SessionLogStore;
  directory: string;
  clock: ManualClock;
  /** The path of session `id`'s log. */
  path(id: string): string;
}

/**
 * Creates the directory (and calls `prepare` on it, to put files there before the store opens),
 * then opens a store. Defaults keep every limit out of the way and the periodic sweeps an hour
 * apart; a test sets the ones it exercises. Disposing closes the store and removes the directory.
 */
export async function openLogStore(
  options: Partial<SessionLogStoreOptions> = {},
  prepare: (directory: string) => void = () => {},
): Promise<TestLogStore> {
  const directory = mkdtempSync(join(tmpdir(), 'steadystate-logs-'));
  prepare(directory);
  // Ahead of the files' real modification times, so files made before open() are the oldest.
  const clock = manualClock(Date.now() + 60_000);
  const store = new SessionLogStore({
    directory,
    maxAgeMs: 24 * HOUR,
    lockIdleMs: 2 * HOUR,
    sweepIntervalMs: HOUR,
    maxTotalBytes: 1 << 30,
    maxFileBytes: 1 << 28,
    structures: new StructureRegistry(),
    logger: silentLogger,
    now: clock.now,
    ...options,
  });
  await store.open();
  return {
    store,
    directory,
    clock,
    path: (id) => join(directory, `${id}.log`),
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A session log that is a FIFO nobody reads yet: an append to it blocks inside the store's lock,
 * as a write to a stalled disk would, until `open()` gives it a reader. A second name for the
 * FIFO lets `open()` work even if the store unlinked the first, so a test never hangs on it.
 */
export class StalledLog {
  readonly #spare: string;
  #reader: FileHandle | undefined;

  /** Makes `<id>.log` in `directory` a FIFO; call it before the store opens to have it indexed. */
  constructor(directory: string, id: string) {
    const path = join(directory, `${id}.log`);
    this.#spare = `${path}.reader`;
    execFileSync('mkfifo', [path]);
    linkSync(path, this.#spare);
  }

  /** Opens the read end (without blocking), which lets the stalled writes through. */
  async open(): Promise<FileHandle> {
    this.#reader ??= await open(this.#spare, constants.O_RDWR | constants.O_NONBLOCK);
    return this.#reader;
  }

  /** Everything written so far. */
  async read(): Promise<string> {
    const reader = await this.open();
    const chunks: Buffer[] = [];
    for (;;) {
      const buffer = Buffer.alloc(65_536);
      try {
        const { bytesRead } = await reader.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        chunks.push(buffer.subarray(0, bytesRead));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Unblocks any writer still waiting and closes the read end. */
  async close(): Promise<void> {
    await (await this.open()).close();
  }
}
