import { BoundedCache, KeyedMutex, PeriodicJob, RingBuffer } from '@steadystate/lifecycle';
import type { Tick } from '../domain/tick.js';
import { Fanout } from '../fanout/fanout.js';
import { SubscriptionService } from '../market/subscription-service.js';
import { TopicIndex } from '../market/topic-index.js';
import { AdapterManager } from '../upstream/adapter-manager.js';
import type { ExchangeCatalog } from '../upstream/exchange-catalog.js';
import { SimMarket } from '../upstream/sim/sim-market.js';
import { ClientRegistry } from '../ws/client-registry.js';
import { own, scheduling, type BuildContext } from './build-context.js';
import type { Observability } from './build-observability.js';
import { catalogFromConfig } from './catalog-from-config.js';
import { registerMarketCleanups } from './market-cleanups.js';
import type { Bus } from '../cluster/bus.js';
import { DemandPublisher } from '../cluster/demand-publisher.js';
import { buildClusterNode, busCatalog, type ClusterParts } from './build-cluster.js';

/** The quote path: adapters, caches, the ring buffer, subscriptions and the fan-out. */
export interface Market {
  /** The simulated exchange's market model, shared by the SIM adapter, scans and indices. */
  readonly simMarket: SimMarket;
  readonly catalog: ExchangeCatalog;
  readonly adapters: AdapterManager;
  readonly symbolCache: BoundedCache<string, boolean>;
  readonly ring: RingBuffer<Tick>;
  readonly topics: TopicIndex;
  readonly clients: ClientRegistry;
  readonly fanout: Fanout;
  readonly subscriptions: SubscriptionService;
  readonly orphanJob: PeriodicJob;
  /** Cluster mode's parts (NATS_URL set); undefined in the single process. */
  readonly cluster: ClusterParts | undefined;
}

/**
 * Builds the quote path in dependency order; closing runs the other way: the orphan sweep and the
 * cleanup callbacks first, then the fan-out, the adapters, and the caches last.
 */
export function buildMarket(context: BuildContext, observed: Observability, bus?: Bus): Market {
  const { config, logger } = context;
  const { structures, leakTracker, monitor } = observed;
  const symbolCache = new BoundedCache<string, boolean>({
    capacity: config.adapters.symbolCacheSize,
    name: 'symbol_cache',
    structures,
    logger,
  });
  own(context, 'symbol cache', () => symbolCache.close());
  const locks = new KeyedMutex<string>({ name: 'topic-locks', structures, logger });
  own(context, 'topic locks', () => locks.close());
  const ring = new RingBuffer<Tick>({
    capacity: config.adapters.ringBufferSize,
    name: 'ring-buffer',
    structures,
  });
  own(context, 'ring buffer', () => ring.close());
  // In cluster mode every change of an exchange's subscribers is published as this node's demand.
  let demand: DemandPublisher | undefined;
  const topics = new TopicIndex(bus ? (exchange) => demand?.changed(exchange) : undefined);
  own(context, 'topic index registration', structures.register(topics));
  const clients = new ClientRegistry(config.ws.maxConnections);
  own(context, 'client registry registration', structures.register(clients));

  const simMarket = new SimMarket({ seed: config.sim.seed, symbolCount: config.sim.symbols });
  const real = context.options.catalog ?? catalogFromConfig(config, simMarket, logger);
  const catalog = bus ? busCatalog(bus, real) : real;
  if (bus) {
    demand = new DemandPublisher({
      bus,
      topics,
      exchanges: catalog.list().map((entry) => entry.exchange),
      logger,
      timers: context.clock.timers,
    });
  }
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
    ...scheduling(context),
  });
  own(context, 'upstream adapters', () => adapters.close());
  context.starters.push(() => adapters.start());
  const fanout = new Fanout({ ring, topics });
  own(context, 'fan-out', () => fanout.close());
  const subscriptions = new SubscriptionService({
    adapters,
    topics,
    symbolCache,
    locks,
    maxSymbolsPerClient: config.ws.maxSymbolsPerClient,
    logger,
  });

  own(
    context,
    'market cleanup callbacks',
    registerMarketCleanups({
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
    }),
  );
  const orphanJob = new PeriodicJob({
    name: 'orphan-cleanup',
    intervalMs: config.adapters.orphanCleanupIntervalMs,
    run: () => subscriptions.cleanupOrphans(),
    logger,
    ...scheduling(context),
  });
  own(context, 'orphan cleanup job', () => orphanJob.close());
  context.starters.push(() => orphanJob.start());
  return {
    simMarket,
    catalog,
    adapters,
    symbolCache,
    ring,
    topics,
    clients,
    fanout,
    subscriptions,
    orphanJob,
    cluster: bus && demand ? buildClusterNode(context, bus, { real, topics, clients, demand }) : undefined,
  };
}
