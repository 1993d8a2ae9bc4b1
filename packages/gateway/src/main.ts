#!/usr/bin/env node
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { startGateway } from './gateway.js';

/**
 * Process entry point: read the configuration, start the gateway, and on SIGTERM or SIGINT
 * close it and let the process exit by itself with 0 once nothing is left open. If anything is
 * still open after SHUTDOWN_TIMEOUT_MS, that is a leak: log it and exit 1.
 */
async function main(): Promise<void> {
  let config;
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
  const gateway = await startGateway(config, logger);
  logger.info({ url: gateway.url, healthz: `${gateway.url}/healthz` }, 'gateway listening');

  const shutdown = (signal: NodeJS.Signals) => {
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
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`steadystate-gateway: failed to start: ${String(error)}\n`);
  process.exit(1);
});
