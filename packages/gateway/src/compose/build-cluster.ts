import type { Bus } from '../cluster/bus.js';
import { BusAdapter } from '../cluster/bus-adapter.js';
import { ClusterNode } from '../cluster/cluster-node.js';
import type { DemandPublisher } from '../cluster/demand-publisher.js';
import type { TopicIndex } from '../market/topic-index.js';
import { ExchangeCatalog } from '../upstream/exchange-catalog.js';
import type { ClientRegistry } from '../ws/client-registry.js';
import { own, type BuildContext } from './build-context.js';

/** Cluster mode's parts: the bus, this node's demand and its side of the leases. */
export interface ClusterParts {
  readonly bus: Bus;
  readonly demand: DemandPublisher;
  readonly node: ClusterNode;
}

/**
 * Connects to NATS when NATS_URL is set (nothing is loaded otherwise). Closed last of the market
 * parts, so the leases and demand are withdrawn while the connection still works.
 */
export async function connectBus(context: BuildContext): Promise<Bus | undefined> {
  const cluster = context.config.cluster;
  if (!cluster) return undefined;
  // Loaded only here: a single process never loads the NATS client.
  const { Bus } = await import('../cluster/bus.js');
  const bus = await Bus.connect(cluster, context.logger);
  own(context, 'NATS connection', () => bus.close());
  context.logger.info({ node: cluster.nodeId, cluster: cluster.name }, 'cluster node connected to NATS');
  return bus;
}

/**
 * What clients are served from in cluster mode: for each exchange of the real catalog, an entry of
 * the same name and broker whose adapter reads the bus instead of the exchange.
 */
export function busCatalog(bus: Bus, real: ExchangeCatalog): ExchangeCatalog {
  return new ExchangeCatalog(
    real.list().map((entry) => ({
      exchange: entry.exchange,
      broker: entry.broker,
      create: (sink) => new BusAdapter({ bus, exchange: entry.exchange, broker: entry.broker, sink }),
    })),
  );
}

/** The node's demand publisher and lease side, started with the gateway and closed before the bus. */
export function buildClusterNode(
  context: BuildContext,
  bus: Bus,
  parts: { real: ExchangeCatalog; topics: TopicIndex; clients: ClientRegistry; demand: DemandPublisher },
): ClusterParts {
  const { config, logger, clock } = context;
  const node = new ClusterNode({
    bus,
    catalog: parts.real,
    unsubscribeDelayMs: config.adapters.cleanupDelayMs,
    maxIdleMs: config.adapters.maxIdleMs,
    localLoad: () => ({ clients: parts.clients.size, subscriptions: parts.topics.subscriptions }),
    logger,
    now: clock.now,
    timers: clock.timers,
  });
  own(context, 'cluster leases', () => node.close());
  own(context, 'cluster demand', () => parts.demand.close());
  context.starters.push(() => {
    parts.demand.start();
    node.start();
  });
  return { bus, demand: parts.demand, node };
}
