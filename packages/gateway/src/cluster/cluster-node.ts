import type { Clock, Logger, Timers } from '@steadystate/lifecycle';
import type { Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import type { ExchangeCatalog } from '../upstream/exchange-catalog.js';
import type { Bus, BusCounters } from './bus.js';
import { displayServers } from './display-servers.js';
import { ExchangeLease, type HeldLease } from './exchange-lease.js';
import { UpstreamOwner, type OwnedExchangeStats } from './upstream-owner.js';

export interface ClusterNodeOptions {
  bus: Bus;
  /** The exchanges with their real adapters: this node runs them while it holds their leases. */
  catalog: ExchangeCatalog;
  /** BROKER_ADAPTER_CLEANUP_DELAY and BROKER_ADAPTER_MAX_IDLE, applied cluster-wide by the holder. */
  unsubscribeDelayMs: number;
  maxIdleMs: number;
  /** This node's clients and subscriptions, as other nodes see them in `/stats`. */
  localLoad: () => { clients: number; subscriptions: number };
  logger: Logger;
  now: Clock;
  timers?: Timers;
}

/** One node as `/stats` shows it, from its own answer on the bus. */
export interface NodeReport {
  node: string;
  clients: number;
  subscriptions: number;
  /** Exchanges whose lease this node holds, with the lease's age. */
  leases: (HeldLease & { ageMs: number })[];
  owned: OwnedExchangeStats[];
  bus: BusCounters & { connected: boolean };
}

const reportSchema = z.object({
  node: z.string().max(64),
  clients: z.number(),
  subscriptions: z.number(),
  leases: z.array(
    z.object({ exchange: z.string(), since: z.number(), renewedAgoMs: z.number(), ageMs: z.number() }),
  ),
  owned: z.array(
    z.object({
      exchange: z.string(),
      broker: z.string(),
      upstreamSubscriptions: z.number(),
      demandedSymbols: z.number(),
      demandingNodes: z.number(),
      pendingUnsubscribes: z.number(),
    }),
  ),
  bus: z.object({
    connected: z.boolean(),
    published: z.number(),
    received: z.number(),
    undecodable: z.number(),
    publishDropped: z.number(),
    reconnects: z.number(),
    leaseChanges: z.number(),
  }),
});

/** The `cluster` section of `/stats` and `get_stats`. */
export interface ClusterStats {
  name: string;
  node: string;
  servers: string;
  connected: boolean;
  /** Every node that answered within CLUSTER_STATS_TIMEOUT, this one included, by name. */
  nodes: NodeReport[];
  /** Which node holds which exchange. */
  holders: Record<string, string>;
}

/**
 * This process as a node of the cluster: it contends for every exchange's lease, runs the
 * exchanges it holds ({@link UpstreamOwner}) and answers the other nodes' stats requests.
 */
export class ClusterNode {
  readonly #o: ClusterNodeOptions;
  readonly #leases: ExchangeLease[];
  readonly #owners = new Map<string, UpstreamOwner>();
  readonly #closing: Promise<void>[] = [];
  #statsResponder: Subscription | undefined;
  #lastGathered: ClusterStats | undefined;
  #gathering = false;

  constructor(options: ClusterNodeOptions) {
    this.#o = options;
    this.#leases = options.catalog.list().map((entry) => {
      const lease: ExchangeLease = new ExchangeLease({
        bus: options.bus,
        exchange: entry.exchange,
        logger: options.logger,
        now: options.now,
        timers: options.timers,
        onAcquired: () => {
          this.#owners.set(
            entry.exchange,
            new UpstreamOwner({
              bus: options.bus,
              entry,
              unsubscribeDelayMs: options.unsubscribeDelayMs,
              maxIdleMs: options.maxIdleMs,
              logger: options.logger,
              now: options.now,
              timers: options.timers,
            }),
          );
        },
        onLost: () => {
          const owner = this.#owners.get(entry.exchange);
          this.#owners.delete(entry.exchange);
          if (owner) this.#closing.push(owner.close());
        },
      });
      return lease;
    });
  }

  start(): void {
    const { bus } = this.#o;
    this.#statsResponder = bus.connection.subscribe(bus.subject('stats'), {
      callback: (error, message) => {
        if (!error) message.respond(Buffer.from(JSON.stringify(this.report())));
      },
    });
    for (const lease of this.#leases) lease.start();
  }

  /** This node's own part of the cluster stats. */
  report(): NodeReport {
    const { bus, now } = this.#o;
    return {
      node: bus.config.nodeId,
      ...this.#o.localLoad(),
      leases: this.#leases.flatMap((lease) => {
        const held = lease.stats();
        return held ? [{ ...held, ageMs: now() - held.since }] : [];
      }),
      owned: [...this.#owners.values()].map((owner) => owner.stats()),
      bus: { ...bus.counters, connected: bus.connected },
    };
  }

  /** Asks every node for its report, waiting CLUSTER_STATS_TIMEOUT at most; this node answers from memory. */
  async gather(): Promise<ClusterStats> {
    const { bus } = this.#o;
    const nodes = new Map<string, NodeReport>([[bus.config.nodeId, this.report()]]);
    if (bus.connected) {
      try {
        const replies = await bus.connection.requestMany(bus.subject('stats'), undefined, {
          maxWait: bus.config.statsTimeoutMs,
        });
        for await (const reply of replies) {
          const parsed = reportSchema.safeParse(safeJson(reply.data));
          if (parsed.success) nodes.set(parsed.data.node, parsed.data);
          else bus.counters.undecodable++;
        }
      } catch (error) {
        this.#o.logger.debug({ err: error }, 'cluster stats request failed');
      }
    }
    const list = [...nodes.values()].sort((a, b) => a.node.localeCompare(b.node));
    const holders: Record<string, string> = {};
    for (const node of list) for (const lease of node.leases) holders[lease.exchange] = node.node;
    return {
      name: bus.config.name,
      node: bus.config.nodeId,
      servers: displayServers(bus.config.natsUrl),
      connected: bus.connected,
      nodes: list,
      holders,
    };
  }

  /**
   * The cluster as last gathered, starting a new gathering in the background: for readers that
   * cannot wait (the dashboard's snapshot), one gathering at a time however often they ask.
   */
  lastGathered(): ClusterStats | undefined {
    if (!this.#gathering) {
      this.#gathering = true;
      void this.gather()
        .then((stats) => (this.#lastGathered = stats))
        .finally(() => (this.#gathering = false));
    }
    return this.#lastGathered;
  }

  /** Releases the leases (another node takes them at once) and closes the owners. */
  async close(): Promise<void> {
    this.#statsResponder?.unsubscribe();
    await Promise.all(this.#leases.map((lease) => lease.close()));
    await Promise.all(this.#closing);
  }
}

function safeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}
