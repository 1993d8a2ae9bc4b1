import { request } from '../http-request.js';
import type { LoadCounters } from './load-counters.js';
import type { Prng } from './prng.js';

export interface HttpJobsOptions {
  httpUrl: string;
  /** The job routes need an api key (sent as a bearer). */
  apiKey: string;
  exchange: string;
  symbols: readonly string[];
  /** Seconds between batch scans; 0 disables them. */
  scanEverySeconds: number;
  /** Seconds between manual reports; 0 disables them. */
  reportEverySeconds: number;
  rng: Prng;
  counters: LoadCounters;
}

const TIMEFRAMES = ['5m', '15m', '1h', '4h'] as const;
/** A request that takes longer is abandoned (and counted as a timeout). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The gateway's HTTP work during a soak: a batch scan every `scanEverySeconds` (POST /api/scans,
 * and before each new one, the status and log of the previous one, so task polling and session
 * logs run too) and a manual report every `reportEverySeconds` (POST /api/reports). One request
 * of each kind at a time; a tick that finds the previous one still running is skipped. Only the
 * last task id is kept.
 */
export class HttpJobs {
  readonly #o: HttpJobsOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #scanBusy = false;
  #reportBusy = false;
  #lastTask: string | undefined;

  constructor(options: HttpJobsOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#o.scanEverySeconds > 0) this.#every(this.#o.scanEverySeconds, () => this.#scan());
    if (this.#o.reportEverySeconds > 0) this.#every(this.#o.reportEverySeconds, () => this.#report());
  }

  /** Clears the timers, abandons requests in flight and waits for them to settle. Idempotent. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
    this.#abort.abort();
    await Promise.all([...this.#running]);
  }

  #every(seconds: number, run: () => Promise<void>): void {
    const timer = setInterval(() => {
      const job = run().finally(() => this.#running.delete(job));
      this.#running.add(job);
    }, seconds * 1000);
    timer.unref();
    this.#timers.push(timer);
  }

  async #scan(): Promise<void> {
    if (this.#scanBusy) return;
    this.#scanBusy = true;
    try {
      const previous = this.#lastTask;
      if (previous !== undefined) {
        await this.#request('GET', `/api/tasks/${previous}`, '/api/tasks/:id');
        await this.#request('GET', `/api/tasks/${previous}/log?offset=0`, '/api/tasks/:id/log');
      }
      const { rng, symbols, exchange } = this.#o;
      const body = await this.#request('POST', '/api/scans', '/api/scans', {
        exchange,
        symbols: rng.sample(symbols, rng.int(5, 30)),
        timeframe: rng.pick(TIMEFRAMES),
        candles: 100,
      });
      const id = (body as { id?: unknown } | null)?.id;
      this.#lastTask = typeof id === 'string' ? id : undefined;
    } finally {
      this.#scanBusy = false;
    }
  }

  async #report(): Promise<void> {
    if (this.#reportBusy) return;
    this.#reportBusy = true;
    try {
      await this.#request('POST', '/api/reports', '/api/reports', {});
    } finally {
      this.#reportBusy = false;
    }
  }

  /** Sends one request and counts its outcome as "METHOD route status"; returns the JSON body or null. */
  async #request(method: string, path: string, route: string, body?: object): Promise<unknown> {
    if (this.#abort.signal.aborted) return null;
    const { counters } = this.#o;
    try {
      const response = await request(`${this.#o.httpUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#o.apiKey}` },
        ...(body === undefined ? {} : { json: body }),
        timeoutMs: REQUEST_TIMEOUT_MS,
        signal: this.#abort.signal,
      });
      counters.http.add(`${method} ${route} ${response.status}`);
      try {
        return JSON.parse(response.text) as unknown;
      } catch {
        return null;
      }
    } catch (error) {
      if (!this.#abort.signal.aborted) {
        counters.http.add(`${method} ${route} ${error instanceof Error ? error.name : 'error'}`);
      }
      return null;
    }
  }
}
