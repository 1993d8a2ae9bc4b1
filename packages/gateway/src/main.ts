#!/usr/bin/env node
import cluster from 'node:cluster';
import { limitHeapGrowth } from '@steadystate/lifecycle';
import { pino } from 'pino';
import { ConfigError, loadConfig, type GatewayConfig } from './config/config.js';
import type { Gateway } from './gateway.js';
import { isWorkerPrimary, superviseWorkers } from './workers.js';

/**
 * Process entry point: read the configuration, start the gateway, and on SIGTERM or SIGINT close
 * it and let the process exit by itself with 0 once nothing is left open. If anything is still
 * open after SHUTDOWN_TIMEOUT_MS, that is a leak: log it and exit 1.
 */
async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`steadystate-gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'steadystate-gateway' } });
  if (isWorkerPrimary(config)) {
    superviseWorkers(config, logger);
    return;
  }
  // Process-wide, so here and not in startGateway (which tests and embedders call in their own processes).
  if (config.memory.heapGrowthPercent > 0) limitHeapGrowth(config.memory.heapGrowthPercent);
  // Loaded here, not at the top: the primary of WORKERS=N serves nothing and needs none of it.
  const { startGateway } = await import('./gateway.js');
  const gateway = await startGateway(config, { logger });
  logger.info(
    {
      url: gateway.url,
      wsUrl: gateway.wsUrl,
      healthz: `${gateway.url}/healthz`,
      stats: `${gateway.url}/stats`,
      metrics: `${gateway.url}/metrics`,
      dashboard: `${gateway.url}/`,
      ...(config.auth.demoKey ? { demoApiKey: config.auth.apiKeys[0] } : {}),
      ...(config.auth.adminTokenGenerated ? { adminToken: config.auth.adminToken } : {}),
    },
    'gateway listening',
  );
  process.stderr.write(banner(gateway, config));

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C reaches a worker and its primary, which passes SIGTERM on) changes nothing.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error(
        { timeoutMs: config.shutdownTimeoutMs },
        'process did not exit in time after shutdown; forcing exit',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    gateway.close().then(
      () => {
        logger.info('gateway stopped');
        process.exitCode = 0;
        // A worker's channel to its primary would keep it alive; nothing else may.
        if (cluster.isWorker) cluster.worker?.disconnect();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** What a person starting the gateway needs to connect; on stderr, so stdout stays JSON logs. */
function banner(gateway: Gateway, config: GatewayConfig): string {
  const lines = [
    '',
    `  Steadystate gateway on ${gateway.url}`,
    `  WebSocket  ${gateway.wsUrl}`,
    `  Stats      ${gateway.url}/stats   (Authorization: Bearer <admin token>)`,
    `  Metrics    ${gateway.url}/metrics`,
    `  Dashboard  ${gateway.url}/${config.auth.adminTokenGenerated ? `?token=${config.auth.adminToken ?? ''}` : ''}`,
  ];
  if (config.auth.demoKey) lines.push(`  Demo api key (loopback only): ${config.auth.apiKeys[0]}`);
  if (config.auth.adminTokenGenerated)
    lines.push(`  Admin token for this run:     ${config.auth.adminToken}`);
  if (config.auth.adminToken === null)
    lines.push('  Admin actions are disabled: set ADMIN_TOKEN to enable them.');
  return `${lines.join('\n')}\n\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`steadystate-gateway: failed to start: ${String(error)}\n`);
  process.exit(1);
});
