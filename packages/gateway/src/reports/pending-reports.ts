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
  /** Ids in arrival order; the content stays in the files. */
  readonly #ids: string[] = [];
  dropped = 0;

  constructor(directory: string, max: number) {
    this.#directory = directory;
    this.#max = max;
  }

  get size(): number {
    return this.#ids.length;
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
      if (ID.test(id)) this.#ids.push(id);
    }
  }

  /** Writes the report to disk (atomically: temp file, then rename) and queues its id. */
  async add(report: GeneratedReport): Promise<void> {
    if (!ID.test(report.id)) throw new TypeError(`invalid report id ${report.id}`);
    while (this.#ids.length >= this.#max) {
      const oldest = this.#ids.shift() as string;
      this.dropped++;
      await rm(await this.#pathOf(oldest), { force: true });
    }
    const path = join(this.#directory, `${String(report.created_at).padStart(15, '0')}-${report.id}.json`);
    await writeFile(`${path}.tmp`, JSON.stringify(report));
    await rename(`${path}.tmp`, path);
    this.#ids.push(report.id);
  }

  /** The oldest waiting report, read back from disk; undefined when none waits. */
  async peek(): Promise<GeneratedReport | undefined> {
    const id = this.#ids[0];
    if (id === undefined) return undefined;
    return JSON.parse(await readFile(await this.#pathOf(id), 'utf8')) as GeneratedReport;
  }

  /** Forgets the oldest waiting report (it was saved). */
  async remove(id: string): Promise<void> {
    const index = this.#ids.indexOf(id);
    if (index < 0) return;
    this.#ids.splice(index, 1);
    await rm(await this.#pathOf(id), { force: true });
  }

  ids(): readonly string[] {
    return this.#ids;
  }

  async #pathOf(id: string): Promise<string> {
    const file = (await readdir(this.#directory)).find((f) => f.endsWith(`-${id}.json`));
    return join(this.#directory, file ?? `missing-${id}.json`);
  }
}
