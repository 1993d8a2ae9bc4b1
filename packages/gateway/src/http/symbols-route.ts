import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EXCHANGE_DESCRIPTION, EXCHANGE_PATTERN } from '../domain/symbols.js';
import type { AdapterManager } from '../upstream/adapter-manager.js';
import { errorMessage } from '../upstream/upstream-error.js';
import { requireCaller, type CallerAuth } from './caller.js';
import { HttpError } from './http-errors.js';

const query = z.object({
  exchange: z.string({ error: 'required, e.g. exchange=SIM' }).regex(EXCHANGE_PATTERN, EXCHANGE_DESCRIPTION),
});

/**
 * `GET /api/symbols?exchange=SIM`: the symbols an exchange offers. Takes a lease on the adapter
 * for the duration of the call, like any other user of it, so the adapter's lifecycle applies.
 */
export function registerSymbolsRoute(
  app: FastifyInstance,
  adapters: AdapterManager,
  auth: CallerAuth | undefined,
): void {
  if (auth) app.addHook('onRequest', requireCaller(auth, ['/api/symbols']));
  app
    .withTypeProvider<ZodTypeProvider>()
    .get('/api/symbols', { schema: { querystring: query } }, async (request) => {
      const exchange = request.query.exchange.toUpperCase();
      const entry = adapters.catalog.get(exchange);
      if (!entry) throw new HttpError.UNKNOWN_EXCHANGE(exchange);
      let symbols: readonly string[];
      try {
        await using lease = await adapters.acquire(exchange);
        symbols = await lease.resource.adapter.listSymbols();
      } catch (error) {
        throw new HttpError.BROKER_ERROR(errorMessage(error), { cause: error });
      }
      return { exchange, broker: entry.broker, count: symbols.length, symbols };
    });
}
