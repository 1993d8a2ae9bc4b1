import type { StructureRegistry } from '@steadystate/lifecycle';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { ApiKeyStore } from '../auth/api-keys.js';
import { AuthFailures } from '../auth/auth-failures.js';
import { StatsSampler } from '../dashboard/stats-sampler.js';
import { registerDashboardRoutes } from '../http/dashboard-routes.js';
import { CallerAuth } from '../http/caller.js';
import { registerHealthRoute } from '../http/health-route.js';
import { answerRouterError, installErrorHandlers } from '../http/http-errors.js';
import { EventStreams } from '../http/event-stream.js';
import { registerMarketRoutes } from '../http/market-routes.js';
import { registerReportRoutes } from '../http/report-routes.js';
import { registerScanRoutes } from '../http/scan-routes.js';
import { registerSecurityHeaders } from '../http/security-headers.js';
import { registerStatsRoutes } from '../http/stats-route.js';
import { registerSymbolsRoute } from '../http/symbols-route.js';
import { createGatewayMetrics } from '../metrics/gateway-metrics.js';
import { DatabaseProbe } from '../reports/database-probe.js';
import {
  buildStats,
  type ClusteredStats,
  type GatewayStats,
  type StatsSources,
} from '../stats/gateway-stats.js';
import { MessageHandler } from '../ws/message-handler.js';
import { SocketServer } from '../ws/ws-server.js';
import { own, scheduling, type BuildContext } from './build-context.js';
import type { Jobs } from './build-jobs.js';
import type { Market } from './build-market.js';
import type { Observability } from './build-observability.js';

/** Depth levels a Depth subscriber may ask for; both built-in adapters deliver 20. */
export const MAX_DEPTH = 20;
/** Log streams (SSE) open at once. */
const MAX_LOG_STREAMS = 100;
/** Live dashboards open at once. */
const MAX_DASHBOARDS = 20;
/** Client addresses whose failed authentications are remembered at most. */
const AUTH_FAILURE_ADDRESSES = 10_000;
/** Largest HTTP request body accepted. */
const BODY_LIMIT_BYTES = 262_144;

/** What clients talk to: HTTP routes and the WebSocket server on one port, and the stats they read. */
export interface Server {
  readonly app: FastifyInstance;
  readonly sockets: SocketServer;
  /** The stats object of SPEC section 4. */
  stats(): GatewayStats;
}

/**
 * Builds the HTTP app, its routes, the WebSocket server and the stats they serve. Closing runs
 * the other way: WebSocket clients first (1001), then the HTTP server with its streams and
 * metrics, then the dashboard sampler.
 */
export function buildServer(
  context: BuildContext,
  observed: Observability,
  market: Market,
  jobs: Jobs,
): Server {
  const { config, logger } = context;
  const { structures, monitor, gc, leakTracker } = observed;
  const { adapters, clients } = market;
  const startedAt = context.clock.now();

  const sampler = new StatsSampler({
    monitor,
    gc,
    counts: () => ({
      clients: clients.size,
      adapters: adapters.count,
      subscriptions: market.topics.subscriptions,
    }),
    structures,
    logger,
    ...scheduling(context),
  });
  own(context, 'dashboard sampler', () => sampler.close());
  context.starters.push(() => sampler.start());
  const dashboardStreams = eventStreams(context, structures, 'dashboard-streams', MAX_DASHBOARDS);
  const logStreams = eventStreams(context, structures, 'log-streams', MAX_LOG_STREAMS);
  const apiKeys = new ApiKeyStore(config.auth.apiKeys);
  const authFailures = new AuthFailures({
    maxFailures: config.auth.maxFailures,
    windowMs: config.auth.failureWindowMs,
    blockMs: config.auth.blockMs,
    capacity: AUTH_FAILURE_ADDRESSES,
    structures,
    logger,
    now: context.clock.now,
  });
  own(context, 'auth failures', () => authFailures.close());
  const dashboards = {
    adminToken: config.auth.adminToken,
    failures: authFailures,
    allowedOrigins: config.auth.allowedOrigins,
    streams: dashboardStreams,
    sampler,
    snapshot: () => {
      const memory = monitor.stats();
      return {
        level: memory.status,
        shedding: memory.shedding,
        thresholds: memory.thresholds,
        cleanups: memory.cleanup.history,
        structures: structures.snapshot(),
        adapters: adapters.stats().adapters,
        cluster: market.cluster?.node.lastGathered() ?? null,
      };
    },
  };

  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs } = config.http;
  const app = Fastify({
    loggerInstance: logger,
    // Node's own defaults (300 s) are switched off by fastify's 0: a body that never arrives would
    // hold its connection for good. Node checks these timeouts every connectionsCheckingInterval.
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    // Given to http.createServer too: it checks headersTimeout against its requestTimeout.
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeoutMs / 2))),
    },
    // Per-request log lines would dominate the log of a busy gateway; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    frameworkErrors: answerRouterError,
  });
  own(context, 'http server and its streams', () => closeServer(app, config.shutdownTimeoutMs));
  // A manual report in its save backoff holds its request open, which app.close() waits for.
  own(context, 'report save retries', () => jobs.reports.interruptRetries());
  installErrorHandlers(app);
  registerSecurityHeaders(app);
  // Routes declare their params, queries and bodies as zod schemas; fastify validates with them.
  app.setValidatorCompiler(validatorCompiler);
  registerHealthRoute(app, {
    startedAt,
    now: context.clock.now,
    monitor,
    store: jobs.store,
    reports: jobs.reports,
    database: new DatabaseProbe(jobs.database, context.clock.now),
    bus: market.cluster?.bus,
  });
  const callers = new CallerAuth({
    apiKeys,
    adminToken: config.auth.adminToken,
    failures: authFailures,
  });
  const marketDataAuth = config.http.marketDataPublic ? undefined : callers;
  registerSymbolsRoute(app, adapters, marketDataAuth);
  registerScanRoutes(app, {
    auth: callers,
    maxActivePerKey: config.scans.maxActivePerKey,
    scans: jobs.scans,
    streams: logStreams,
    catalog: market.catalog,
    monitor,
    maxSymbols: config.scans.maxSymbols,
  });
  registerMarketRoutes(app, jobs.store, jobs.dashboard, marketDataAuth);
  registerDashboardRoutes(app, dashboards);
  registerReportRoutes(app, callers, jobs.reports, jobs.repository);

  const handler = new MessageHandler(
    {
      apiKeys,
      authFailures,
      adminToken: config.auth.adminToken,
      adapters,
      subscriptions: market.subscriptions,
      limits: { maxSymbolsPerRequest: config.ws.maxSymbolsPerClient, maxDepth: MAX_DEPTH },
      monitor,
      stats: statsWithCluster,
      logger,
    },
    config.ws.maxFrameBytes,
  );
  const sockets = new SocketServer({
    server: app.server,
    config: config.ws,
    clients,
    handler,
    subscriptions: market.subscriptions,
    monitor,
    leakTracker,
    logger,
    allowedOrigins: config.auth.allowedOrigins,
    ...scheduling(context),
  });
  own(context, 'websocket clients', () => sockets.close());
  context.starters.push(() => sockets.start());

  const sources: StatsSources = {
    ring: market.ring,
    clients,
    topics: market.topics,
    monitor,
    adapters,
    symbolCache: market.symbolCache,
    structures,
    fanout: market.fanout,
    handler,
    sockets,
    scans: jobs.scans,
    gc,
    jobs: () => [
      market.orphanJob,
      sampler.job,
      ...sockets.jobs,
      jobs.indices.indicesJob,
      jobs.indices.snapshotJob,
      jobs.reports.scheduler,
      jobs.reports.flusher,
    ],
    store: jobs.store,
    indices: jobs.indices,
    reports: jobs.reports,
    leakTracker,
    authFailures,
    bus: market.cluster?.bus,
  };
  const metrics = createGatewayMetrics(sources);
  // Read by /metrics: closed once the HTTP server has stopped serving (fastify's onClose).
  app.addHook('onClose', () => metrics.close());
  registerStatsRoutes(app, config.auth.adminToken, authFailures, statsWithCluster, metrics.registry);
  return { app, sockets, stats };

  function stats(): GatewayStats {
    return buildStats(sources);
  }

  /** In cluster mode the stats also name this node and hold every node's answer. */
  async function statsWithCluster(): Promise<GatewayStats | ClusteredStats> {
    const cluster = market.cluster;
    if (!cluster) return stats();
    const own = stats();
    return { ...own, node: cluster.bus.config.nodeId, cluster: await cluster.node.gather() };
  }
}

/** A bounded set of Server-Sent Events streams, owned by the composition (its heartbeat is a schedule). */
function eventStreams(context: BuildContext, structures: StructureRegistry, name: string, capacity: number) {
  const streams = new EventStreams({
    name,
    capacity,
    structures,
    logger: context.logger,
    ...scheduling(context),
  });
  own(context, name, () => streams.close());
  context.starters.push(() => streams.start());
  return streams;
}

/**
 * Closes the HTTP server: it stops accepting and waits for the requests in flight, but a request
 * still in flight after half the shutdown timeout (a body that never comes) has its connection
 * cut, so the process exits cleanly within SHUTDOWN_TIMEOUT_MS.
 */
async function closeServer(app: FastifyInstance, shutdownTimeoutMs: number): Promise<void> {
  // Real time whatever the gateway's clock: this only stops a hang.
  const grace = setTimeout(() => app.server.closeAllConnections(), Math.floor(shutdownTimeoutMs / 2));
  try {
    await app.close();
  } finally {
    clearTimeout(grace);
  }
}
