import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { incrementCounter, type Logger } from '@steadystate/lifecycle';
import { generatedReportSchema, type GeneratedReport } from './report-content.js';

const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Where files that can never be saved go, beside the queue, for an operator to look at. */
const REJECTED = 'rejected';

export interface PendingReportsOptions {
  /** The queue's folder; created at open(). */
  directory: string;
  /** Reports waiting at most; past it the oldest is dropped. Also the most rejected files kept. */
  max: number;
  /**
   * Times the database may refuse one report's rows (a constraint, a value it cannot store)
   * before the file is rejected, provided it saved another report meanwhile: a refusal of every
   * report (a trigger, a permission) is the database's fault, not the file's, and rejects
   * nothing. Failures to reach the database are not counted at all: those reports wait for it
   * however long it takes.
   * @default 3
   */
  maxInsertAttempts?: number;
  logger: Logger;
}

interface Entry {
  id: string;
  file: string;
  /** Inserts the database refused so far. */
  refusals: number;
  /** The queue's save count at the first refusal: a save since then shows the file is at fault. */
  savesAtFirstRefusal: number;
}

/**
 * Reports waiting for the database, kept on disk, not in memory: a database outage of hours
 * costs a few files, while the heap holds only their ids. Bounded: past `max`, the oldest waiting
 * report is dropped (and counted) to make room. Files survive a restart and are picked up again.
 *
 * A file that cannot be read back as a report (torn by a crash, written by an older version, or
 * edited by hand), and one whose rows the database refused `maxInsertAttempts` times while it
 * saved others, moves to `rejected/` and is counted: the queue behind it moves on. Files are written durably (fsync
 * before and after the rename), so a crash leaves the old state or the new one.
 */
export class PendingReports {
  readonly #o: Required<PendingReportsOptions>;
  /** Waiting reports in arrival order, by id and file name; the content stays in the files. */
  readonly #queue: Entry[] = [];
  #dropped = 0;
  #rejected = 0;
  #saves = 0;

  constructor(options: PendingReportsOptions) {
    this.#o = { maxInsertAttempts: 3, ...options };
  }

  get size(): number {
    return this.#queue.length;
  }

  get capacity(): number {
    return this.#o.max;
  }

  /** True while report `id` waits in the queue. */
  has(id: string): boolean {
    return this.#queue.some((entry) => entry.id === id);
  }

  /** Oldest reports dropped to stay within `max`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Files moved to `rejected/`. */
  get rejected(): number {
    return this.#rejected;
  }

  /**
   * Creates the folder, removes temp files a failed write or a crash left, and picks up the
   * reports an earlier run left waiting.
   */
  async open(): Promise<void> {
    await mkdir(this.#o.directory, { recursive: true });
    const files = (await readdir(this.#o.directory)).sort();
    for (const file of files) {
      if (file.endsWith('.json.tmp')) await rm(this.#path(file), { force: true });
      if (!file.endsWith('.json')) continue;
      const id = file.slice(file.indexOf('-') + 1, -5);
      if (ID.test(id)) this.#queue.push({ id, file, refusals: 0, savesAtFirstRefusal: 0 });
    }
  }

  /** Writes the report to disk (durably: temp file, fsync, rename, fsync of the folder) and queues it. */
  async add(report: GeneratedReport): Promise<void> {
    if (!ID.test(report.id)) throw new TypeError(`invalid report id ${report.id}`);
    while (this.#queue.length >= this.#o.max) {
      const oldest = this.#queue.shift() as Entry;
      this.#dropped = incrementCounter(this.#dropped);
      await rm(this.#path(oldest.file), { force: true });
    }
    // The zero-padded creation time first: a sorted listing is the arrival order after a restart.
    const file = `${String(report.created_at).padStart(15, '0')}-${report.id}.json`;
    const temp = this.#path(`${file}.tmp`);
    try {
      await writeDurably(temp, JSON.stringify(report));
      await rename(temp, this.#path(file));
      await syncDirectory(this.#o.directory);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    this.#queue.push({ id: report.id, file, refusals: 0, savesAtFirstRefusal: 0 });
  }

  /** The ids of the waiting reports, oldest first. */
  ids(): string[] {
    return this.#queue.map((entry) => entry.id);
  }

  /**
   * Waiting report `id`, read back from disk; undefined when it does not wait (any more). A file
   * that does not read back as that report is rejected on the way.
   */
  async read(id: string): Promise<GeneratedReport | undefined> {
    const entry = this.#queue.find((e) => e.id === id);
    if (!entry) return undefined;
    const report = await this.#read(entry);
    if (report.ok) return report.value;
    await this.#reject(entry, report.reason);
    return undefined;
  }

  /**
   * Records that the database refused the rows of report `id`. Returns true when the file was
   * rejected for it (see `maxInsertAttempts`).
   */
  async refused(id: string, error: unknown): Promise<boolean> {
    const entry = this.#queue.find((e) => e.id === id);
    if (!entry) return false;
    if (entry.refusals === 0) entry.savesAtFirstRefusal = this.#saves;
    entry.refusals++;
    if (entry.refusals < this.#o.maxInsertAttempts || this.#saves === entry.savesAtFirstRefusal) return false;
    const reason = error instanceof Error ? error.message : String(error);
    await this.#reject(entry, `the database refused it ${entry.refusals} times: ${reason}`);
    return true;
  }

  /** Forgets a waiting report: it was saved. */
  async saved(id: string): Promise<void> {
    const index = this.#queue.findIndex((entry) => entry.id === id);
    if (index < 0) return;
    this.#saves++;
    const [entry] = this.#queue.splice(index, 1);
    await rm(this.#path((entry as Entry).file), { force: true });
  }

  async #read(entry: Entry): Promise<{ ok: true; value: GeneratedReport } | { ok: false; reason: string }> {
    let text: string;
    try {
      text = await readFile(this.#path(entry.file), 'utf8');
    } catch (error) {
      // A file removed by hand is gone: nothing to move aside.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { ok: false, reason: 'the file is gone' };
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, reason: text.length === 0 ? 'the file is empty' : 'the file is not JSON' };
    }
    const parsed = generatedReportSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        reason: `not a report: ${issue?.path.join('.') || '(file)'}: ${issue?.message ?? ''}`,
      };
    }
    if (parsed.data.id !== entry.id) return { ok: false, reason: `the file holds report ${parsed.data.id}` };
    return { ok: true, value: parsed.data };
  }

  /** Moves the entry's file to rejected/ (keeping at most `max` there) and takes it off the queue. */
  async #reject(entry: Entry, reason: string): Promise<void> {
    this.#queue.splice(this.#queue.indexOf(entry), 1);
    this.#rejected = incrementCounter(this.#rejected);
    this.#o.logger.error({ report: entry.id, file: entry.file, reason }, 'pending report rejected');
    const folder = this.#path(REJECTED);
    await mkdir(folder, { recursive: true });
    await rename(this.#path(entry.file), join(folder, entry.file)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
    const kept = (await readdir(folder)).sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - this.#o.max))) {
      await rm(join(folder, old), { force: true });
    }
  }

  #path(file: string): string {
    return join(this.#o.directory, file);
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename in `directory` durable: the entry itself is in the directory's data. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
