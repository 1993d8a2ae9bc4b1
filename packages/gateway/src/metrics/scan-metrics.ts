import { cumulativeCounter, TASK_STATUSES } from '@steadystate/lifecycle';
import { Gauge, type Registry } from 'prom-client';
import type { ScanService } from '../scans/scan-service.js';

const P = 'steadystate_';

/** Task, session-log and exchange-client metrics of the scans, read at scrape time. */
export function registerScanMetrics(registry: Registry, scans: ScanService): void {
  new Gauge({
    name: `${P}tasks`,
    help: 'Scan tasks held, by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const byStatus = scans.tasks.stats().byStatus;
      for (const status of TASK_STATUSES) this.set({ status }, byStatus[status]);
    },
  });
  cumulativeCounter(
    registry,
    `${P}tasks_finished_total`,
    'Scan tasks finished, by outcome',
    ['outcome'],
    () => {
      const s = scans.tasks.stats();
      return [
        [{ outcome: 'completed' }, s.completed],
        [{ outcome: 'failed' }, s.failed],
        [{ outcome: 'cancelled' }, s.cancelled],
      ];
    },
  );
  cumulativeCounter(
    registry,
    `${P}tasks_removed_total`,
    'Finished scan tasks removed, by reason',
    ['reason'],
    () => {
      const s = scans.tasks.stats();
      return [
        [{ reason: 'swept' }, s.swept],
        [{ reason: 'evicted' }, s.evicted],
      ];
    },
  );
  const logs = () => scans.stats().logs;
  new Gauge({
    name: `${P}session_log_bytes`,
    help: 'Bytes of session logs on disk',
    registers: [registry],
    collect() {
      this.set(logs().bytes);
    },
  });
  new Gauge({
    name: `${P}session_log_files`,
    help: 'Session log files on disk',
    registers: [registry],
    collect() {
      this.set(logs().files);
    },
  });
  cumulativeCounter(
    registry,
    `${P}session_log_errors_total`,
    'Session log I/O errors, by operation',
    ['operation'],
    () => {
      const l = logs();
      return [
        [{ operation: 'write' }, l.write_errors],
        [{ operation: 'read' }, l.read_errors],
        [{ operation: 'delete' }, l.delete_errors],
      ];
    },
  );
  new Gauge({
    name: `${P}exchange_clients`,
    help: 'Cached exchange clients of the scans, and the leases held on them',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const e = scans.stats().exchanges;
      this.set({ kind: 'clients' }, e.clients);
      this.set({ kind: 'leases' }, e.leases);
    },
  });
}
