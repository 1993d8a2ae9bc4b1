import type { FastifyInstance } from 'fastify';

/** `GET /healthz`: 200 while the process serves; the body says since when. */
export function registerHealthRoute(app: FastifyInstance, startedAt: number): void {
  app.get('/healthz', () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }));
}
