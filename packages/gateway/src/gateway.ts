import {
  BoundedCache,
  CloseOnce,
  GcObserver,
  KeyedMutex,
  LeakTracker,
  MemoryMonitor,
  PeriodicJob,
  RingBuffer,
  StructureRegistry,
  type MemoryReading,
} from '@steadystate/lifecycle';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ApiKeyStore } from './auth/api-keys.js';
import type { GatewayConfig } from './config/config.js';
import { Fanout } from './fanout/fanout.js';
import { answerRouterError, installErrorHandlers } from './http/http-errors.js';
import { DashboardStreams } from './dashboard/dashboard-streams.js';
import { StatsSampler } from './dashboard/stats-sampler.js';
import { registerDashboardRoutes } from './http/dashboard-routes.js';
import { registerHealthRoute } from './http/health-route.js';
import { registerMarketRoutes } from './http/market-routes.js';
import { registerReportRoutes } from './http/report-routes.js';
import { LogStreams } from './http/log-stream.js';
import { registerScanRoutes } from './http/scan-routes.js';
import { registerStatsRoutes } from './http/stats-route.js';
import { registerSymbolsRoute } from './http/symbols-route.js';
import { DashboardReader } from './indices/dashboard-reader.js';
import { IndexFeed } from './indices/index-feed.js';
import { MarketIndicesService } from './indices/market-indices-service.js';
import { SubscriptionService } from './market/subscription-service.js';
import { TopicIndex } from './market/topic-index.js';
import { wireMemoryCleanup } from './memory/memory-wiring.js';
import { createGatewayMetrics } from './metrics/gateway-metrics.js';
import { exchangeClientFactory } from './exchanges/exchange-client-factory.js';
import { ExchangeManager } from './exchanges/exchange-manager.js';
import { ScanService } from './scans/scan-service.js';
import { PendingReports } from './reports/pending-reports.js';
import { openReportDatabase } from './reports/report-database.js';
import { ReportRepository } from './reports/report-repository.js';
import { ReportService } from './reports/report-service.js';
import { createKvStore } from './store/create-kv-store.js';
import type { KeyValueStore } from './store/kv-store.js';
import { SessionLogStore } from './scans/session-log-store.js';
import { buildStats, type StatsSources } from './stats/gateway-stats.js';
import { AdapterManager } from './upstream/adapter-manager.js';
import { catalogFromConfig, type ExchangeCatalog } from './upstream/exchange-catalog.js';
import { SimMarket } from './upstream/sim/sim-market.js';
import type { Tick } from './domain/tick.js';
import { ClientRegistry } from './ws/client-registry.js';
import { MessageHandler } from './ws/message-handler.js';
import { SocketServer } from './ws/ws-server.js';

/** Depth levels a Depth subscriber may ask for; both built-in adapters deliver 20. */
export const MAX_DEPTH = 20;
/** Log streams (SSE) open at once. */
const MAX_LOG_STREAMS = 100;
/** Live dashboards open at once. */
const MAX_DASHBOARDS = 20;

export interface GatewayOptions {
  logger: FastifyBaseLogger;
  /** The exchanges to serve. @default the simulated exchange plus CCXT_EXCHANGES */
  catalog?: ExchangeCatalog;
  /** Memory reading source of the monitor; tests inject one to reach CRITICAL on demand. */
  readMemory?: () => MemoryReading;
}

/** The parts of a running gateway, for stats pages, tests and the packages that extend it. */
export interface GatewayParts {
  readonly app: FastifyInstance;
  readonly structures: StructureRegistry;
  readonly monitor: MemoryMonitor;
  readonly adapters: AdapterManager;
  readonly topics: TopicIndex;
  readonly clients: ClientRegistry;
  readonly ring: RingBuffer<Tick>;
  readonly subscriptions: SubscriptionService;
  readonly sockets: SocketServer;
  readonly leakTracker: LeakTracker;
  readonly scans: ScanService;
  readonly exchanges: ExchangeManager;
  readonly logs: SessionLogStore;
  readonly store: KeyValueStore;
  readonly indices: MarketIndicesService;
  readonly reports: ReportService;
  readonly repository: ReportRepository;
}

/** A running gateway: where it listens and how to stop it. */
export interface Gateway {
  /** Base HTTP URL, e.g. http://127.0.0.1:8765 (the real port when the config asked for 0). */
  readonly url: string;
  /** The WebSocket URL on the same port. */
  readonly wsUrl: string;
  readonly port: number;
  readonly parts: GatewayParts;
  /** The stats object of SPEC section 4. */
  stats(): Record<string, unknown>;
  /** Stops accepting, closes clients with 1001, then every adapter, timer and the server. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Builds the gateway, starts listening and resolves once it accepts connections. */
export async function startGateway(config: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const startedAt = Date.now();
  const structures = new StructureRegistry();
  const leakTracker = new LeakTracker({ name: 'leak-tracker', structures, logger });
  const gc = new GcObserver({ structures, logger });
  const ring = new RingBuffer<Tick>({
    capacity: config.adapters.ringBufferSize,
    name: 'ring-buffer',
    structures,
  });
  const topics = new TopicIndex();
  const fanout = new Fanout({ ring, topics });
  const market = new SimMarket({ seed: config.sim.seed, symbolCount: config.sim.symbols });
  const catalog = options.catalog ?? catalogFromConfig(config, market, logger);
  const adapters = new AdapterManager({
    catalog,
    sink: (tick) => fanout.publish(tick),
    cleanupDelayMs: config.adapters.cleanupDelayMs,
    maxIdleMs: config.adapters.maxIdleMs,
    marketDataCacheSize: config.adapters.marketDataCacheSize,
    onClosed: (handle) => topics.dropAdapter(handle.adapter),
    structures,
    leakTracker,
    logger,
  });
  const symbolCache = new BoundedCache<string, boolean>({
    capacity: config.adapters.symbolCacheSize,
    name: 'symbol_cache',
    structures,
    logger,
  });
  const locks = new KeyedMutex<string>({ name: 'topic-locks', structures, logger });
  const subscriptions = new SubscriptionService({
    adapters,
    topics,
    symbolCache,
    locks,
    maxSymbolsPerClient: config.ws.maxSymbolsPerClient,
    logger,
  });
  const clients = new ClientRegistry(config.ws.maxConnections);
  const unregisterStructures = [structures.register(topics), structures.register(clients)];
  const monitor = new MemoryMonitor({
    intervalMs: config.memory.checkIntervalMs,
    ...(config.memory.criticalBytes === undefined
      ? {}
      : {
          warningBytes: config.memory.warningBytes,
          cleanupBytes: config.memory.cleanupBytes,
          criticalBytes: config.memory.criticalBytes,
        }),
    ...(options.readMemory ? { read: options.readMemory } : {}),
    logger,
  });
  const exchanges = new ExchangeManager({
    createClient: exchangeClientFactory(market, logger),
    maxIdleMs: config.scans.exchangeMaxIdleMs,
    sweepIntervalMs: Math.max(50, Math.min(config.scans.exchangeMaxIdleMs, 60_000)),
    structures,
    logger,
  });
  const logs = new SessionLogStore({
    directory: config.logs.directory,
    maxAgeMs: config.logs.maxAgeMs,
    lockIdleMs: config.logs.lockMaxIdleMs,
    sweepIntervalMs: config.logs.lockSweepIntervalMs,
    maxTotalBytes: config.logs.maxTotalBytes,
    maxFileBytes: config.logs.maxFileBytes,
    structures,
    logger,
  });
  await logs.open();
  const scans = new ScanService({
    exchanges,
    logs,
    monitor,
    retentionMs: config.scans.retentionMs,
    sweepIntervalMs: config.scans.sweepIntervalMs,
    maxConcurrent: config.scans.maxConcurrent,
    maxQueued: config.scans.maxQueued,
    maxRetained: config.scans.maxRetained,
    structures,
    logger,
  });
  const streams = new LogStreams(MAX_LOG_STREAMS);
  const store = createKvStore(config.store, structures, logger);
  const indices = new MarketIndicesService({
    feed: new IndexFeed({ exchanges, exchange: config.indices.exchange, symbols: config.indices.symbols }),
    store,
    intervalMs: config.indices.intervalMs,
    ttlMs: config.indices.ttlMs,
    snapshotIntervalMs: config.indices.snapshotIntervalMs,
    structures,
    logger,
  });
  const dashboard = new DashboardReader({
    store,
    retries: config.indices.dashboardRetries,
    delayMs: config.indices.dashboardRetryDelayMs,
    logger,
  });
  const database = openReportDatabase(config.reports);
  const repository = new ReportRepository(database);
  const reports = new ReportService({
    database,
    repository,
    pending: new PendingReports(join(config.dataDir, 'pending-reports'), config.reports.pendingMax),
    indices,
    intervalMs: config.reports.intervalMs,
    saveRetries: config.reports.saveRetries,
    flushIntervalMs: config.reports.flushIntervalMs,
    logger,
  });
  await reports.open();
  const orphanJob = new PeriodicJob({
    name: 'orphan-cleanup',
    intervalMs: config.adapters.orphanCleanupIntervalMs,
    run: () => subscriptions.cleanupOrphans(),
    logger,
  });

  const app = Fastify({
    loggerInstance: logger,
    // Per-request log lines would dominate the log of a busy gateway; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 262_144,
    frameworkErrors: answerRouterError,
  });
  installErrorHandlers(app);
  const handler = new MessageHandler(
    {
      apiKeys: new ApiKeyStore(config.auth.apiKeys),
      adminToken: config.auth.adminToken,
      adapters,
      subscriptions,
      limits: { maxSymbolsPerRequest: config.ws.maxSymbolsPerClient, maxDepth: MAX_DEPTH },
      monitor,
      stats: () => stats(),
      logger,
    },
    config.ws.maxFrameBytes,
  );
  const sockets = new SocketServer({
    server: app.server,
    config: config.ws,
    clients,
    handler,
    subscriptions,
    monitor,
    leakTracker,
    logger,
  });
  const unwireMemory = wireMemoryCleanup({
    monitor,
    subscriptions,
    adapters,
    clients,
    symbolCache,
    ring,
    releaseClient: (client) => {
      subscriptions.release(client.ensureSubscriptions());
      client.dispose();
      leakTracker.markClosed(client);
    },
  });
  const sources: StatsSources = {
    ring,
    clients,
    topics,
    monitor,
    adapters,
    symbolCache,
    structures,
    fanout,
    handler,
    sockets,
    scans,
    gc,
    jobs: () => [
      orphanJob,
      sampler.job,
      ...sockets.jobs,
      indices.indicesJob,
      indices.snapshotJob,
      reports.scheduler,
      reports.flusher,
    ],
    extra: () => ({
      tasks: scans.stats(),
      store: store.status(),
      indices: indices.stats(),
      reports: reports.stats(),
    }),
  };
  const stats = () => buildStats(sources);
  const sampler = new StatsSampler({
    monitor,
    gc,
    counts: () => ({ clients: clients.size, adapters: adapters.count, subscriptions: topics.subscriptions }),
    structures,
    logger,
  });
  const dashboards = new DashboardStreams({
    sampler,
    capacity: MAX_DASHBOARDS,
    snapshot: () => {
      const memory = monitor.stats();
      return {
        level: memory.status,
        shedding: memory.shedding,
        thresholds: memory.thresholds,
        cleanups: memory.cleanup.history,
        structures: structures.snapshot(),
        adapters: adapters.stats().adapters,
      };
    },
  });
  const metrics = createGatewayMetrics(sources);
  registerHealthRoute(app, startedAt, monitor, () => {
    const faults: string[] = [];
    const kv = store.status();
    if (kv.backend === 'redis' && !kv.connected) faults.push('key-value store unreachable');
    if (!reports.migrated || reports.stats().pending > 0) faults.push('report database unavailable');
    return faults;
  });
  registerStatsRoutes(app, config.auth.adminToken, stats, metrics.registry);
  registerSymbolsRoute(app, adapters);
  registerScanRoutes(app, { scans, streams, catalog, monitor, maxSymbols: config.scans.maxSymbols });
  registerMarketRoutes(app, store, dashboard);
  registerDashboardRoutes(app, config.auth.adminToken, dashboards);
  registerReportRoutes(app, reports, repository);

  await monitor.checkNow(); // stats and /healthz have a reading from the first request on
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  const closing = new CloseOnce();
  // Fixed order, each step on its own: stop taking clients, then work, then resources, then the server.
  const steps: [string, () => unknown][] = [
    ['websocket clients', () => sockets.close()],
    // A manual report in its save backoff holds its request open, which app.close() waits for.
    ['report save retries', () => reports.interruptRetries()],
    ['http server and log streams', () => app.close()],
    ['orphan cleanup job', () => orphanJob.close()],
    ['scans', () => scans.close()],
    ['reports', () => reports.close()],
    ['market indices', () => indices.close()],
    ['memory cleanup callbacks', () => unwireMemory()],
    ['memory monitor', () => monitor.close()],
    ['dashboard sampler', () => sampler.close()],
    ['fan-out', () => fanout.close()],
    ['upstream adapters', () => adapters.close()],
    ['exchange clients', () => exchanges.close()],
    ['session logs', () => logs.close()],
    ['key-value store', () => store.close()],
    ['report database', () => database.close()],
    ['topic locks', () => locks.close()],
    ['ring buffer', () => ring.close()],
    ['symbol cache', () => symbolCache.close()],
    ['metrics', () => metrics.close()],
    ['gc observer', () => gc.close()],
    ['structures', () => unregisterStructures.forEach((u) => u())],
    ['leak tracker', () => leakTracker.close()],
    ['structure registry', () => structures.close()],
  ];
  const close = () =>
    closing.run(async () => {
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (error) {
          logger.error({ step: name, err: error }, 'error while closing the gateway; continuing');
        }
      }
    });
  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    port,
    parts: {
      app,
      structures,
      monitor,
      adapters,
      topics,
      clients,
      ring,
      subscriptions,
      sockets,
      leakTracker,
      scans,
      exchanges,
      logs,
      store,
      indices,
      reports,
      repository,
    },
    stats,
    close,
    [Symbol.asyncDispose]: close,
  };
}
