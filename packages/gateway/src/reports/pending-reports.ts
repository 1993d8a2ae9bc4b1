import { mkdir, readFile, readdir, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedReport } from './report-content.js';

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Reports waiting for the database, kept on disk, not in memory: a database outage of hours
 * costs a few files, while the heap holds only their ids. Bounded: past `max`, the oldest waiting
 * report is dropped (and counted) to make room. Files survive a restart and are picked up again.
 */
export class PendingReports {
  readonly #directory: string;
  readonly #max: number;
  /** Waiting reports in arrival order, by id and file name; the content stays in the files. */
  readonly #queue: { id: string; file: string }[] = [];
  dropped = 0;

  constructor(directory: string, max: number) {
    this.#directory = directory;
    this.#max = max;
  }

  get size(): number {
    return this.#queue.length;
  }

  get capacity(): number {
    return this.#max;
  }

  /** Creates the directory and picks up the reports an earlier run left waiting. */
  async open(): Promise<void> {
    await mkdir(this.#directory, { recursive: true });
    const files = (await readdir(this.#directory)).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      const id = file.slice(file.indexOf('-') + 1, -5);
      if (ID.test(id)) this.#queue.push({ id, file });
    }
  }

  /** Writes the report to disk (atomically: temp file, then rename) and queues its id. */
  async add(report: GeneratedReport): Promise<void> {
    if (!ID.test(report.id)) throw new TypeError(`invalid report id ${report.id}`);
    while (this.#queue.length >= this.#max) {
      const oldest = this.#queue.shift() as { file: string };
      this.dropped++;
      await rm(join(this.#directory, oldest.file), { force: true });
    }
    // The zero-padded creation time first: a sorted listing is the arrival order after a restart.
    const file = `${String(report.created_at).padStart(15, '0')}-${report.id}.json`;
    const path = join(this.#directory, file);
    await writeFile(`${path}.tmp`, JSON.stringify(report));
    await rename(`${path}.tmp`, path);
    this.#queue.push({ id: report.id, file });
  }

  /** The oldest waiting report, read back from disk; undefined when none waits. */
  async peek(): Promise<GeneratedReport | undefined> {
    const oldest = this.#queue[0];
    if (oldest === undefined) return undefined;
    return JSON.parse(await readFile(join(this.#directory, oldest.file), 'utf8')) as GeneratedReport;
  }

  /** Forgets the oldest waiting report (it was saved). */
  async remove(id: string): Promise<void> {
    const index = this.#queue.findIndex((entry) => entry.id === id);
    if (index < 0) return;
    const [entry] = this.#queue.splice(index, 1);
    await rm(join(this.#directory, (entry as { file: string }).file), { force: true });
  }
}
