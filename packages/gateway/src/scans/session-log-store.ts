import { open, mkdir, readdir, stat, unlink, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CloseOnce,
  KeyedMutex,
  PeriodicJob,
  incrementCounter,
  schedulingOf,
  systemClock,
  type Clock,
  type Logger,
  type MeasuredStructure,
  type SchedulingOptions,
  type StructureRegistry,
} from '@steadystate/lifecycle';
import { LogWatchers } from './log-watchers.js';

export interface SessionLogStoreOptions extends SchedulingOptions {
  /** Where the log files live, one `<session>.log` each; created if absent. */
  directory: string;
  /** Files not written for this long are deleted (LOG_MAX_AGE_HOURS). */
  maxAgeMs: number;
  /** A session's lock is dropped after being idle this long (LOG_LOCK_MAX_IDLE_HOURS). */
  lockIdleMs: number;
  /** How often idle locks and old files are swept (LOG_LOCK_CLEANUP_INTERVAL). */
  sweepIntervalMs: number;
  /** All logs together stay under this; the oldest unlocked ones go first (LOG_MAX_TOTAL_MB). */
  maxTotalBytes: number;
  /** One log stops growing here; later lines are counted as dropped (LOG_MAX_FILE_MB). */
  maxFileBytes: number;
  structures: StructureRegistry;
  logger: Logger;
  now?: Clock;
}

/** What a read from an offset returns. */
export interface LogChunk {
  content: string;
  /** Where the next read starts. */
  nextOffset: number;
  /** The file's size when read. */
  size: number;
}

interface LogFile {
  bytes: number;
  modifiedAt: number;
  /** Set once the file reached maxFileBytes. */
  full: boolean;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Old files are also deleted before a new log is created, but not more often than this. */
const PRE_CREATE_SWEEP_MS = 5 * 60_000;
const MAX_READ_BYTES = 64 * 1024;

/**
 * Session logs (seed 000's LogFileManager, rebuilt): append, read from an offset, delete. Writes
 * of one session are serialized by a KeyedMutex whose idle locks are dropped after `lockIdleMs`
 * but never while held or awaited (the seed evicted held locks: two writers, one file). Reads
 * take no lock, and the file sweep deletes old files without taking one, so neither re-creates
 * locks for sessions long gone (the seed's sweep did). Disk errors are logged and counted, never
 * thrown: a scan goes on without its log.
 */
export class SessionLogStore implements MeasuredStructure {
  readonly name = 'session-logs';
  readonly #o: SessionLogStoreOptions;
  readonly #now: Clock;
  readonly #files = new Map<string, LogFile>();
  readonly #locks: KeyedMutex<string>;
  readonly #sweeper: PeriodicJob;
  readonly #closing = new CloseOnce();
  readonly #unregister: () => void;
  readonly #watchers: LogWatchers;
  #bytes = 0;
  #lastPreCreateSweep = -Infinity;
  #errorLogged = false;
  readonly counters = {
    appends: 0,
    writeErrors: 0,
    readErrors: 0,
    deleteErrors: 0,
    deletedOld: 0,
    deletedForSpace: 0,
    droppedLines: 0,
  };

  constructor(options: SessionLogStoreOptions) {
    this.#o = options;
    this.#now = options.now ?? systemClock;
    this.#locks = new KeyedMutex<string>({
      name: 'session-log-locks',
      idleMs: options.lockIdleMs,
      sweepIntervalMs: options.sweepIntervalMs,
      structures: options.structures,
      logger: options.logger,
      ...schedulingOf(options),
    });
    this.#sweeper = new PeriodicJob({
      name: 'session-log-sweep',
      intervalMs: options.sweepIntervalMs,
      run: () => this.sweep(),
      logger: options.logger,
      ...schedulingOf(options),
    });
    this.#watchers = new LogWatchers((error) =>
      options.logger.error({ err: error }, 'session log watcher failed'),
    );
    this.#unregister = options.structures.register(this);
  }

  /** Calls `listener` after every line appended to the log of `sessionId`, and when it is deleted. */
  watch(sessionId: string, listener: () => void): () => void {
    return this.#watchers.watch(checkId(sessionId), listener);
  }

  get size(): number {
    return this.#files.size;
  }

  /** Starts the sweeps of old files and idle locks; only needed with `autostart: false`. */
  start(): void {
    this.#locks.start();
    this.#sweeper.start();
  }

  /** Creates the directory and indexes the logs already there (from an earlier run). */
  async open(): Promise<void> {
    await mkdir(this.#o.directory, { recursive: true });
    for (const entry of await readdir(this.#o.directory)) {
      const id = entry.endsWith('.log') ? entry.slice(0, -4) : '';
      if (!SESSION_ID.test(id)) continue;
      try {
        const info = await stat(join(this.#o.directory, entry));
        this.#index(id, info.size, info.mtimeMs);
      } catch {
        // Deleted meanwhile: nothing to index.
      }
    }
  }

  /** Starts a session's log (an empty file). Old files are swept first, at most every 5 minutes. */
  async create(sessionId: string): Promise<boolean> {
    const id = checkId(sessionId);
    if (this.#now() - this.#lastPreCreateSweep >= PRE_CREATE_SWEEP_MS) {
      this.#lastPreCreateSweep = this.#now();
      await this.#deleteOld();
    }
    return this.#write(id, '');
  }

  /** Appends `text` to the session's log. False when it could not be written (counted). */
  append(sessionId: string, text: string): Promise<boolean> {
    return this.#write(checkId(sessionId), text);
  }

  /**
   * Up to 64 KiB of the log from byte `offset`, ending on a whole line so a multi-byte character
   * is never split. Null when there is no such log.
   */
  async read(sessionId: string, offset: number): Promise<LogChunk | null> {
    const path = this.#path(checkId(sessionId));
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isNotFound(error)) return null;
      this.#failed('read', sessionId, error);
      return null;
    }
    try {
      const { size } = await handle.stat();
      if (offset >= size) return { content: '', nextOffset: Math.min(offset, size), size };
      const buffer = Buffer.alloc(Math.min(MAX_READ_BYTES, size - offset));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      const end = wholeLines(buffer, bytesRead);
      return { content: buffer.toString('utf8', 0, end), nextOffset: offset + end, size };
    } catch (error) {
      this.#failed('read', sessionId, error);
      return null;
    } finally {
      await handle.close();
    }
  }

  /** Deletes a session's log and drops its lock. */
  async delete(sessionId: string): Promise<boolean> {
    const id = checkId(sessionId);
    const deleted = await this.#locks.withLock(id, () => this.#unlink(id));
    this.#locks.delete(id);
    this.#watchers.notify(id);
    return deleted;
  }

  /**
   * Deletes logs older than `maxAgeMs` and, while over `maxTotalBytes`, the oldest others; never
   * one whose lock is held. Idle locks are dropped by the lock table's own sweep. Returns how many
   * files went.
   */
  async sweep(): Promise<number> {
    return (await this.#deleteOld()) + (await this.#makeRoom());
  }

  stats() {
    const locks = this.#locks.stats();
    return {
      files: this.#files.size,
      bytes: this.#bytes,
      appends: this.counters.appends,
      write_errors: this.counters.writeErrors,
      read_errors: this.counters.readErrors,
      delete_errors: this.counters.deleteErrors,
      deleted_old: this.counters.deletedOld,
      deleted_for_space: this.counters.deletedForSpace,
      dropped_lines: this.counters.droppedLines,
      locks: { keys: locks.keys, held: locks.held, waiting: locks.waiting, dropped: locks.dropped },
    };
  }

  /** Stops the sweep and releases the lock table; files stay on disk. Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      this.#unregister();
      await this.#sweeper.close();
      await this.#locks.close();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #write(id: string, text: string): Promise<boolean> {
    const written = this.#locks.withLock(id, async () => {
      const file = this.#files.get(id);
      const bytes = Buffer.byteLength(text);
      if (file?.full || (file?.bytes ?? 0) + bytes > this.#o.maxFileBytes) {
        this.counters.droppedLines = incrementCounter(this.counters.droppedLines);
        if (file) file.full = true;
        return false;
      }
      try {
        await appendFile(this.#path(id), text);
      } catch (error) {
        this.#failed('write', id, error);
        return false;
      }
      this.counters.appends = incrementCounter(this.counters.appends);
      this.#errorLogged = false;
      this.#index(id, (file?.bytes ?? 0) + bytes, this.#now());
      if (this.#bytes > this.#o.maxTotalBytes) await this.#makeRoom();
      this.#watchers.notify(id);
      return true;
    });
    // The section itself never throws; the lock may refuse (too many appends waiting on one
    // session, or the store closed). The line is dropped and counted: appends never reject.
    return written.catch(() => {
      this.counters.droppedLines = incrementCounter(this.counters.droppedLines);
      return false;
    });
  }

  async #deleteOld(): Promise<number> {
    const cutoff = this.#now() - this.#o.maxAgeMs;
    let deleted = 0;
    for (const [id, file] of [...this.#files]) {
      // No lock is taken for an old file: taking one would re-create it for a session long gone.
      if (file.modifiedAt >= cutoff || this.#locks.isLocked(id)) continue;
      if (await this.#unlink(id)) {
        deleted++;
        this.counters.deletedOld = incrementCounter(this.counters.deletedOld);
        this.#locks.delete(id);
      }
    }
    return deleted;
  }

  async #makeRoom(): Promise<number> {
    if (this.#bytes <= this.#o.maxTotalBytes) return 0;
    const oldestFirst = [...this.#files].sort((a, b) => a[1].modifiedAt - b[1].modifiedAt);
    let deleted = 0;
    for (const [id] of oldestFirst) {
      if (this.#bytes <= this.#o.maxTotalBytes) break;
      if (this.#locks.isLocked(id)) continue;
      if (await this.#unlink(id)) {
        deleted++;
        this.counters.deletedForSpace = incrementCounter(this.counters.deletedForSpace);
      }
    }
    return deleted;
  }

  async #unlink(id: string): Promise<boolean> {
    try {
      await unlink(this.#path(id));
    } catch (error) {
      if (!isNotFound(error)) {
        this.#failed('delete', id, error);
        return false;
      }
    }
    this.#forget(id);
    return true;
  }

  #index(id: string, bytes: number, modifiedAt: number): void {
    const previous = this.#files.get(id);
    this.#bytes += bytes - (previous?.bytes ?? 0);
    this.#files.set(id, { bytes, modifiedAt, full: previous?.full ?? false });
  }

  #forget(id: string): void {
    const file = this.#files.get(id);
    if (!file) return;
    this.#bytes -= file.bytes;
    this.#files.delete(id);
  }

  #failed(operation: 'write' | 'read' | 'delete', id: string, error: unknown): void {
    const counter =
      operation === 'write' ? 'writeErrors' : operation === 'read' ? 'readErrors' : 'deleteErrors';
    this.counters[counter] = incrementCounter(this.counters[counter]);
    // One log line per run of failures: a full disk would otherwise log once per line written.
    if (!this.#errorLogged) {
      this.#errorLogged = true;
      this.#o.logger.error(
        { operation, session: id, err: error },
        'session log I/O failed; continuing without it',
      );
    }
  }

  #path(id: string): string {
    return join(this.#o.directory, `${id}.log`);
  }
}

function checkId(sessionId: string): string {
  if (!SESSION_ID.test(sessionId)) throw new TypeError(`invalid session id ${JSON.stringify(sessionId)}`);
  return sessionId;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The length of the buffer's whole lines; all of it if it holds no newline (a very long line). */
function wholeLines(buffer: Buffer, length: number): number {
  const lastNewline = buffer.lastIndexOf(0x0a, length - 1);
  if (lastNewline >= 0) return lastNewline + 1;
  // No newline: end on a UTF-8 character boundary instead (continuation bytes are 10xxxxxx).
  let end = length;
  while (end > 0 && ((buffer[end - 1] as number) & 0xc0) === 0x80) end--;
  if (end > 0 && (buffer[end - 1] as number) >= 0xc0) end--;
  return end === 0 ? length : end;
}
