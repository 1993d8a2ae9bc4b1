import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@steadystate/lifecycle';
import { KvError, type KeyValueStore } from '../store/kv-store.js';
import { LATEST_MARKET_DATA_KEY } from './market-indices-service.js';

/** What `GET /api/dashboard` answers; `status` says why `data` is empty when it is. */
export type DashboardAnswer =
  | { status: 'ok'; data: unknown; attempts: number }
  | { status: 'no_data' | 'no_store' | 'invalid_data'; data: null; attempts: number; message: string };

/**
 * Reads `latest_market_data` as the seed's dashboard did: up to `retries` attempts `delayMs`
 * apart when it is missing or the store fails. No store configured is a warning and an empty
 * answer, never an error; a store that stays unreachable is reported by throwing its KvError.
 */
export class DashboardReader {
  readonly #store: KeyValueStore;
  readonly #retries: number;
  readonly #delayMs: number;
  readonly #logger: Logger;
  #warned = false;

  constructor(options: { store: KeyValueStore; retries: number; delayMs: number; logger: Logger }) {
    this.#store = options.store;
    this.#retries = options.retries;
    this.#delayMs = options.delayMs;
    this.#logger = options.logger;
  }

  async read(signal?: AbortSignal): Promise<DashboardAnswer> {
    if (this.#store.status().backend === 'none') {
      if (!this.#warned)
        this.#logger.warn({}, 'dashboard asked for data but no key-value store is configured');
      this.#warned = true;
      return {
        status: 'no_store',
        data: null,
        attempts: 0,
        message: 'no key-value store is configured (KV_STORE=none)',
      };
    }
    let failure: KvError | undefined;
    for (let attempt = 1; attempt <= this.#retries; attempt++) {
      try {
        const raw = await this.#store.get(LATEST_MARKET_DATA_KEY);
        failure = undefined;
        if (raw !== null) return parsed(raw, attempt);
      } catch (error) {
        if (!(error instanceof KvError)) throw error;
        failure = error;
      }
      if (attempt < this.#retries) await sleep(this.#delayMs, undefined, signal ? { signal } : undefined);
    }
    if (failure) throw failure;
    return {
      status: 'no_data',
      data: null,
      attempts: this.#retries,
      message: 'no market data has been written yet (or it expired)',
    };
  }
}

/** Someone else may write the key: data that is not JSON is reported, not thrown. */
function parsed(raw: string, attempts: number): DashboardAnswer {
  try {
    return { status: 'ok', data: JSON.parse(raw) as unknown, attempts };
  } catch {
    return {
      status: 'invalid_data',
      data: null,
      attempts,
      message: 'latest_market_data does not hold valid JSON',
    };
  }
}
