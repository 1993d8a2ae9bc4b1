import type { FastifyInstance } from 'fastify';
import type { DashboardReader } from '../indices/dashboard-reader.js';
import { MARKET_INDICES_KEY } from '../indices/market-indices-service.js';
import { KvError, type KeyValueStore } from '../store/kv-store.js';
import { sendHttpError } from './http-errors.js';

/** `GET /api/market/indices` (what the indices job stored) and `GET /api/dashboard`. */
export function registerMarketRoutes(
  app: FastifyInstance,
  store: KeyValueStore,
  dashboard: DashboardReader,
): void {
  app.get('/api/market/indices', async (_request, reply) => {
    let raw: string | null;
    try {
      raw = await store.get(MARKET_INDICES_KEY);
    } catch (error) {
      return storeUnavailable(reply, error);
    }
    if (raw === null) {
      void reply.header('retry-after', '30');
      return sendHttpError(
        reply,
        503,
        'INDICES_UNAVAILABLE',
        'the market indices have not been computed yet or expired',
      );
    }
    return reply.type('application/json').send(raw);
  });

  app.get('/api/dashboard', async (_request, reply) => {
    // The response closing before it finished means the client left: stop retrying for it.
    const aborted = new AbortController();
    reply.raw.once('close', () => aborted.abort());
    try {
      return await dashboard.read(aborted.signal);
    } catch (error) {
      return storeUnavailable(reply, error);
    }
  });
}

function storeUnavailable(reply: Parameters<typeof sendHttpError>[0], error: unknown) {
  if (error instanceof KvError) {
    void reply.header('retry-after', '5');
    return sendHttpError(
      reply,
      503,
      'STORE_UNAVAILABLE',
      `the key-value store is unavailable: ${error.message}`,
    );
  }
  throw error;
}
