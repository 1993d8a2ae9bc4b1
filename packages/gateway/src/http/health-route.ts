import type { FastifyInstance } from 'fastify';
import type { MemoryMonitor } from '@steadystate/lifecycle';

/**
 * `GET /healthz`: 200 while the gateway serves quotes, 503 while it sheds load at CRITICAL memory
 * (so a load balancer sends new clients elsewhere). A store or database fault is reported as
 * status `degraded` with the list of faults, still 200: quotes keep flowing meanwhile. Public: it
 * reveals no user or client data.
 */
export function registerHealthRoute(
  app: FastifyInstance,
  startedAt: number,
  now: () => number,
  monitor: MemoryMonitor,
  faults: () => string[],
): void {
  app.get('/healthz', (_request, reply) => {
    const shedding = monitor.shedding;
    const current = faults();
    return reply.code(shedding ? 503 : 200).send({
      status: shedding ? 'overloaded' : current.length > 0 ? 'degraded' : 'ok',
      memory: monitor.level,
      faults: current,
      uptimeSeconds: Math.round((now() - startedAt) / 1000),
    });
  });
}
