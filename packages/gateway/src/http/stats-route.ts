import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AuthFailures } from '../auth/auth-failures.js';
import { requireAdminToken } from './admin-auth.js';

/** `GET /stats` (admin token; the same JSON as the `get_stats` action) and `GET /metrics` (Prometheus). */
export function registerStatsRoutes(
  app: FastifyInstance,
  adminToken: string | null,
  failures: AuthFailures,
  stats: () => object | Promise<object>,
  registry: Registry,
): void {
  app.get('/stats', { preHandler: requireAdminToken(adminToken, failures) }, async () => ({
    type: 'stats',
    data: await stats(),
  }));
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
