import type { FastifyInstance } from 'fastify';
import type { MemoryMonitor } from '@steadystate/lifecycle';

/**
 * `GET /healthz`: 200 while the gateway serves, 503 while it sheds load at CRITICAL memory (so a
 * load balancer sends new clients elsewhere). Public: it reveals no user or client data.
 */
export function registerHealthRoute(app: FastifyInstance, startedAt: number, monitor: MemoryMonitor): void {
  app.get('/healthz', (_request, reply) => {
    const shedding = monitor.shedding;
    return reply.code(shedding ? 503 : 200).send({
      status: shedding ? 'overloaded' : 'ok',
      memory: monitor.level,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    });
  });
}
