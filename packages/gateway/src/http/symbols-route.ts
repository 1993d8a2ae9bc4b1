import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EXCHANGE_DESCRIPTION, EXCHANGE_PATTERN } from '../domain/symbols.js';
import type { AdapterManager } from '../upstream/adapter-manager.js';
import { errorMessage } from '../upstream/upstream-error.js';
import { parseOrReply, sendHttpError } from './http-errors.js';

const query = z.object({
  exchange: z.string({ error: 'required, e.g. exchange=SIM' }).regex(EXCHANGE_PATTERN, EXCHANGE_DESCRIPTION),
});

/**
 * `GET /api/symbols?exchange=SIM`: the symbols an exchange offers. Takes a lease on the adapter
 * for the duration of the call, like any other user of it, so the adapter's lifecycle applies.
 */
export function registerSymbolsRoute(app: FastifyInstance, adapters: AdapterManager): void {
  app.get('/api/symbols', async (request, reply) => {
    const q = parseOrReply(query, request.query, reply);
    if (!q) return reply;
    const exchange = q.exchange.toUpperCase();
    const entry = adapters.catalog.get(exchange);
    if (!entry) return sendHttpError(reply, 404, 'UNKNOWN_EXCHANGE', `unknown exchange ${exchange}`);
    try {
      await using lease = await adapters.acquire(exchange);
      const symbols = await lease.resource.adapter.listSymbols();
      return { exchange, broker: entry.broker, count: symbols.length, symbols };
    } catch (error) {
      return sendHttpError(reply, 502, 'BROKER_ERROR', `the exchange did not answer: ${errorMessage(error)}`);
    }
  });
}
