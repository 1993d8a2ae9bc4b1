import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config/config.js';

/** A worker that dies this soon after its start is not restarted again at once (a crash loop). */
const RESTART_DELAY_MS = 1000;

/**
 * The primary process of `WORKERS=N`: it forks N gateway processes that share its port through
 * `node:cluster` (the primary accepts and hands connections out in turn) and are nodes of one
 * cluster named `<NODE_ID>-w<i>` with their files in `DATA_DIR/worker-<i>`, and it serves nothing
 * itself. A worker that dies is started again
 * after a second. SIGTERM or SIGINT is passed to every worker, whose clients get 1001; the primary
 * exits 0 once all of them have exited 0.
 */
export function superviseWorkers(config: GatewayConfig, logger: Logger): void {
  const nodeId = config.cluster?.nodeId ?? 'node';
  const slots = new Map<number, Worker>();
  let stopping = false;
  let failed = false;

  const fork = (slot: number) => {
    const worker = cluster.fork({
      NODE_ID: `${nodeId}-w${slot}`.slice(0, 64),
      // Files stay per worker (pending reports must be saved by the process that wrote them).
      DATA_DIR: join(config.dataDir, `worker-${slot}`),
    });
    slots.set(slot, worker);
    worker.on('exit', (code, signal) => {
      if (slots.get(slot) === worker) slots.delete(slot);
      if (stopping) {
        if (code !== 0) failed = true;
        if (slots.size === 0) process.exitCode = failed ? 1 : 0;
        return;
      }
      logger.error({ worker: slot, code, signal }, 'worker exited; starting it again');
      setTimeout(() => {
        if (!stopping) fork(slot);
      }, RESTART_DELAY_MS).unref();
    });
  };
  for (let slot = 1; slot <= config.workers; slot++) fork(slot);
  logger.info({ workers: config.workers, port: config.port }, 'workers started');

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the workers');
    for (const worker of slots.values()) worker.process.kill('SIGTERM');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'workers did not exit in time; forcing exit');
      for (const worker of slots.values()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1000);
    deadline.unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** True in the primary of `WORKERS=N` (N > 1), which supervises instead of serving. */
export function isWorkerPrimary(config: GatewayConfig): boolean {
  return config.workers > 1 && cluster.isPrimary;
}
