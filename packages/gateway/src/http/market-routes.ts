import type { FastifyInstance } from 'fastify';
import type { DashboardReader } from '../indices/dashboard-reader.js';
import { MARKET_INDICES_KEY } from '../indices/market-indices-service.js';
import { KvError, type KeyValueStore } from '../store/kv-store.js';
import { requireCaller, type CallerAuth } from './caller.js';
import { HttpError } from './http-errors.js';

/**
 * `GET /api/market/indices` (what the indices job stored) and `GET /api/dashboard`. Open to all,
 * unless `auth` is given (HTTP_MARKET_DATA_PUBLIC=false): then they need an api key.
 */
export function registerMarketRoutes(
  app: FastifyInstance,
  store: KeyValueStore,
  dashboard: DashboardReader,
  auth: CallerAuth | undefined,
): void {
  if (auth) app.addHook('onRequest', requireCaller(auth, ['/api/market/indices', '/api/dashboard']));
  app.get('/api/market/indices', async (_request, reply) => {
    const raw = await fromStore(() => store.get(MARKET_INDICES_KEY));
    if (raw === null) throw new HttpError.INDICES_UNAVAILABLE();
    return reply.type('application/json').send(raw);
  });

  app.get('/api/dashboard', async (_request, reply) => {
    // The response closing before it finished means the client left: stop retrying for it.
    const aborted = new AbortController();
    reply.raw.once('close', () => aborted.abort());
    return fromStore(() => dashboard.read(aborted.signal));
  });
}

/** Runs a store operation; 503 STORE_UNAVAILABLE when the store fails. */
async function fromStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof KvError) throw new HttpError.STORE_UNAVAILABLE(error.message, { cause: error });
    throw error;
  }
}
