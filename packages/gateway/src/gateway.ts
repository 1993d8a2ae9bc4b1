import {
  AsyncDisposableStack,
  CloseOnce,
  disposeReporting,
  systemClockSource,
  type LeakTracker,
  type MemoryMonitor,
  type RingBuffer,
  type StructureRegistry,
} from '@steadystate/lifecycle';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config/config.js';
import type { BuildContext, GatewayOptions } from './compose/build-context.js';
import { connectBus } from './compose/build-cluster.js';
import { buildJobs } from './compose/build-jobs.js';
import { buildMarket } from './compose/build-market.js';
import { buildObservability } from './compose/build-observability.js';
import { buildServer } from './compose/build-server.js';
import type { Tick } from './domain/tick.js';
import type { Fanout } from './fanout/fanout.js';
import type { ExchangeManager } from './exchanges/exchange-manager.js';
import type { MarketIndicesService } from './indices/market-indices-service.js';
import type { SubscriptionService } from './market/subscription-service.js';
import type { TopicIndex } from './market/topic-index.js';
import type { ReportRepository } from './reports/report-repository.js';
import type { ReportService } from './reports/report-service.js';
import type { ScanService } from './scans/scan-service.js';
import type { SessionLogStore } from './scans/session-log-store.js';
import type { GatewayStats } from './stats/gateway-stats.js';
import type { KeyValueStore } from './store/kv-store.js';
import type { AdapterManager } from './upstream/adapter-manager.js';
import type { ClientRegistry } from './ws/client-registry.js';
import type { SocketServer } from './ws/ws-server.js';

export { MAX_DEPTH } from './compose/build-server.js';
export type { GatewayOptions } from './compose/build-context.js';

/** The parts of a running gateway, for stats pages, tests and the packages that extend it. */
export interface GatewayParts {
  readonly app: FastifyInstance;
  readonly structures: StructureRegistry;
  readonly monitor: MemoryMonitor;
  readonly adapters: AdapterManager;
  readonly topics: TopicIndex;
  readonly clients: ClientRegistry;
  readonly ring: RingBuffer<Tick>;
  /** Where adapters publish ticks; the ring buffer's consumer. */
  readonly fanout: Fanout;
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
  stats(): GatewayStats;
  /** Stops accepting, closes clients with 1001, then every adapter, timer and the server. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Builds the gateway, starts listening and resolves once it accepts connections. Every part is
 * owned by one stack as soon as it is built, and nothing schedules work before the server
 * listens: a start that fails at any point (a port in use, a store or database that refuses the
 * configuration) closes what was built and rejects, leaving no timer, socket or file open.
 */
export async function startGateway(config: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const building = new AsyncDisposableStack();
  const context: BuildContext = {
    config,
    options,
    logger,
    clock: options.clock ?? systemClockSource,
    parts: building,
    starters: [],
  };
  const reportCloseError = (error: unknown) =>
    logger.error({ err: error }, 'error while closing the gateway; continuing');
  try {
    const observed = buildObservability(context);
    const bus = await connectBus(context);
    const market = buildMarket(context, observed, bus);
    const jobs = await buildJobs(context, observed, market);
    const server = buildServer(context, observed, market, jobs);
    await observed.monitor.checkNow(); // stats and /healthz have a reading from the first request on
    await server.app.listen({ host: config.host, port: config.port });
    for (const start of context.starters) start();

    const parts = building.move();
    const closing = new CloseOnce();
    const close = () => closing.run(() => disposeReporting(parts, reportCloseError));
    const address = server.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      wsUrl: `ws://${host}:${port}`,
      port,
      parts: {
        app: server.app,
        structures: observed.structures,
        monitor: observed.monitor,
        leakTracker: observed.leakTracker,
        adapters: market.adapters,
        topics: market.topics,
        clients: market.clients,
        ring: market.ring,
        fanout: market.fanout,
        subscriptions: market.subscriptions,
        sockets: server.sockets,
        scans: jobs.scans,
        exchanges: jobs.exchanges,
        logs: jobs.logs,
        store: jobs.store,
        indices: jobs.indices,
        reports: jobs.reports,
        repository: jobs.repository,
      },
      stats: () => server.stats(),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    // Whatever was built is closed, in reverse order, before the caller hears of the failure.
    await disposeReporting(building, reportCloseError);
    throw error;
  }
}
