import type { FastifyInstance } from 'fastify';
import type { Clock, MemoryMonitor } from '@steadystate/lifecycle';
import type { DatabaseProbe } from '../reports/database-probe.js';
import type { ReportService } from '../reports/report-service.js';
import type { KeyValueStore } from '../store/kv-store.js';

/** The faults `/healthz` can list, each a stable string. */
export const HealthFault = {
  STORE_UNREACHABLE: 'key-value store unreachable',
  DATABASE_UNREACHABLE: 'report database unreachable',
  REPORTS_WAITING: 'reports waiting on disk for the database',
  BUS_UNREACHABLE: 'NATS unreachable (cluster mode): serving what still arrives',
} as const;

export interface HealthSources {
  startedAt: number;
  now: Clock;
  monitor: MemoryMonitor;
  store: KeyValueStore;
  reports: ReportService;
  database: DatabaseProbe;
  /** The cluster's bus, in cluster mode. */
  bus?: { readonly connected: boolean };
}

/**
 * `GET /healthz`, public (it reveals no user or client data). What it reports:
 * - 503 `overloaded` while memory is CRITICAL and new work is shed, so a load balancer sends new
 *   clients elsewhere;
 * - else 200 `degraded` with the list of faults while Redis is unreachable (as its client sees
 *   it), the report database does not answer (a `SELECT 1` at most every 5 s), or reports wait on
 *   disk for it, or (cluster mode) NATS is unreachable: quotes keep flowing meanwhile;
 * - else 200 `ok`.
 */
export function registerHealthRoute(app: FastifyInstance, s: HealthSources): void {
  app.get('/healthz', async (_request, reply) => {
    const shedding = s.monitor.shedding;
    const faults = await currentFaults(s);
    return reply.code(shedding ? 503 : 200).send({
      status: shedding ? 'overloaded' : faults.length > 0 ? 'degraded' : 'ok',
      memory: s.monitor.level,
      faults,
      uptimeSeconds: Math.round((s.now() - s.startedAt) / 1000),
    });
  });
}

async function currentFaults(s: HealthSources): Promise<string[]> {
  const faults: string[] = [];
  const store = s.store.status();
  if (store.backend === 'redis' && !store.connected) faults.push(HealthFault.STORE_UNREACHABLE);
  if (!(await s.database.reachable())) faults.push(HealthFault.DATABASE_UNREACHABLE);
  if (s.reports.stats().pending > 0) faults.push(HealthFault.REPORTS_WAITING);
  if (s.bus && !s.bus.connected) faults.push(HealthFault.BUS_UNREACHABLE);
  return faults;
}
