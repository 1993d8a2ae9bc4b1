import { SoakError, SoakErrorCode } from '../errors.js';
import { request } from '../http-request.js';
import { ClientPool } from './client-pool.js';
import { HttpJobs } from './http-jobs.js';
import { LoadCounters } from './load-counters.js';
import { Prng } from './prng.js';

export interface GatewayProfileOptions {
  httpUrl: string;
  wsUrl: string;
  apiKey: string;
  clients: number;
  churnPerSecond: number;
  slowShare: number;
  badShare: number;
  scanEverySeconds: number;
  reportEverySeconds: number;
  seed: number;
  /** Spread of the first connections. @default 5000 */
  rampMs?: number;
}

/** The exchange the profile drives: the simulated one, which every gateway has. */
const EXCHANGE = 'SIM';

/**
 * The built-in `gateway` load profile: a pool of WebSocket clients that connect, authenticate,
 * subscribe, read, unsubscribe and leave at the configured churn (with shares of slow readers
 * and bad input), plus periodic scans and reports over HTTP. Symbols come from the target's own
 * GET /api/symbols?exchange=SIM.
 */
export class GatewayProfile {
  readonly counters: LoadCounters;
  readonly #pool: ClientPool;
  readonly #jobs: HttpJobs;

  private constructor(pool: ClientPool, jobs: HttpJobs, counters: LoadCounters) {
    this.#pool = pool;
    this.#jobs = jobs;
    this.counters = counters;
  }

  /** Reads the symbol list and starts the clients and the HTTP jobs. */
  static async start(o: GatewayProfileOptions): Promise<GatewayProfile> {
    const symbols = await fetchSymbols(o.httpUrl);
    const counters = new LoadCounters();
    const pool = new ClientPool({
      wsUrl: o.wsUrl,
      apiKey: o.apiKey,
      exchange: EXCHANGE,
      symbols,
      clients: o.clients,
      churnPerSecond: o.churnPerSecond,
      slowShare: o.slowShare,
      badShare: o.badShare,
      rng: new Prng(o.seed),
      counters,
      ...(o.rampMs === undefined ? {} : { rampMs: o.rampMs }),
    });
    const jobs = new HttpJobs({
      httpUrl: o.httpUrl,
      apiKey: o.apiKey,
      exchange: EXCHANGE,
      symbols,
      scanEverySeconds: o.scanEverySeconds,
      reportEverySeconds: o.reportEverySeconds,
      // Its own stream, so the scans' choices do not shift with the clients' timing.
      rng: new Prng(o.seed + 1),
      counters,
    });
    pool.start();
    jobs.start();
    return new GatewayProfile(pool, jobs, counters);
  }

  /** Clients of the pool whose connection is open. */
  get openClients(): number {
    return this.#pool.open;
  }

  /** Stops the HTTP jobs and closes every client. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([this.#jobs.close(), this.#pool.close()]);
  }
}

async function fetchSymbols(httpUrl: string): Promise<string[]> {
  try {
    const response = await request(`${httpUrl}/api/symbols?exchange=${EXCHANGE}`, { timeoutMs: 10_000 });
    const body = JSON.parse(response.text) as { symbols?: unknown };
    const symbols = Array.isArray(body.symbols) ? body.symbols.filter((s) => typeof s === 'string') : [];
    if (!response.ok || symbols.length === 0) {
      throw new Error(`GET /api/symbols answered ${response.status} with ${symbols.length} symbols`);
    }
    return symbols;
  } catch (error) {
    throw new SoakError(
      SoakErrorCode.PROFILE_SETUP,
      `the gateway profile needs the target's SIM symbols: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
