import { sql } from 'kysely';
import { systemClock, type Clock } from '@steadystate/lifecycle';
import type { ReportDatabase } from './report-database.js';

/** A probe answer is reused this long: /healthz stays cheap however often it is polled. */
const MAX_AGE_MS = 5000;
/** A probe the database does not answer this fast counts as a failure (a hang guard, real time). */
const TIMEOUT_MS = 1000;

/**
 * Whether the report database answers now: a `SELECT 1`, run at most every 5 seconds and shared by
 * everyone who asks meanwhile. Without it, a database that went down between two saves would only
 * show once a save failed.
 */
export class DatabaseProbe {
  readonly #database: ReportDatabase;
  readonly #now: Clock;
  #checkedAt = -Infinity;
  #reachable = true;
  #inFlight: Promise<boolean> | undefined;

  constructor(database: ReportDatabase, now: Clock = systemClock) {
    this.#database = database;
    this.#now = now;
  }

  /** True when the database answered the last probe (run now if the last one is stale). */
  reachable(): Promise<boolean> {
    if (this.#now() - this.#checkedAt < MAX_AGE_MS) return Promise.resolve(this.#reachable);
    this.#inFlight ??= this.#probe().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #probe(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer in time')), TIMEOUT_MS);
    });
    try {
      await Promise.race([sql`select 1`.execute(this.#database.db), timeout]);
      this.#reachable = true;
    } catch {
      this.#reachable = false;
    } finally {
      clearTimeout(timer);
      this.#checkedAt = this.#now();
    }
    return this.#reachable;
  }
}
