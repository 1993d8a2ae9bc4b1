import type { Logger } from '@steadystate/lifecycle';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ClusterConfig } from '../config/config.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { errorMessage } from '../upstream/upstream-error.js';
import { displayServers } from './display-servers.js';
import { encodeSubjectToken } from './subject-token.js';

/** What the bus has done since the node started; `/metrics` and `/stats` read them. */
export interface BusCounters {
  published: number;
  received: number;
  /** Messages on the cluster's subjects that did not decode (or named another symbol): dropped. */
  undecodable: number;
  /** Ticks not published because the connection was down (NATS would buffer them without bound). */
  publishDropped: number;
  reconnects: number;
  /** Leases this node took or lost. */
  leaseChanges: number;
}

/**
 * The node's one connection to NATS and the two key-value buckets of the cluster: `leases` (one key
 * per exchange, lapsing `leaseTtlMs` after the holder's last renewal) and `demand` (one key per
 * exchange and node, lapsing `demandTtlMs` after the node's last publish). Both lapse through the
 * bucket's max age, which every NATS server with JetStream supports. The connection reconnects
 * forever; while it is down `connected` is false, publishers drop instead of buffering, and
 * listeners of `onReconnect` republish what the server may have lost.
 */
export class Bus {
  readonly connection: NatsConnection;
  readonly leases: KV;
  readonly demand: KV;
  readonly config: ClusterConfig;
  readonly counters: BusCounters = {
    published: 0,
    received: 0,
    undecodable: 0,
    publishDropped: 0,
    reconnects: 0,
    leaseChanges: 0,
  };
  #connected = true;
  readonly #reconnectListeners = new Set<() => void>();
  readonly #statusLoop: Promise<void>;

  private constructor(
    config: ClusterConfig,
    connection: NatsConnection,
    leases: KV,
    demand: KV,
    logger: Logger,
  ) {
    this.config = config;
    this.connection = connection;
    this.leases = leases;
    this.demand = demand;
    this.#statusLoop = this.#followStatus(logger);
  }

  /** Connects and opens (creating if needed) the cluster's buckets; rejects with CLUSTER_UNREACHABLE. */
  static async connect(config: ClusterConfig, logger: Logger): Promise<Bus> {
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: config.natsUrl.split(',').map((s) => s.trim()),
        name: `steadystate ${config.nodeId}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        pingInterval: 5000,
        maxPingOut: 2,
      });
    } catch (error) {
      throw new GatewayError(
        GatewayErrorCode.CLUSTER_UNREACHABLE,
        `cannot reach NATS at ${displayServers(config.natsUrl)}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    let buckets: [KV, KV];
    try {
      const kvm = new Kvm(connection);
      buckets = [
        await kvm.create(`${config.name}_leases`, { ttl: config.leaseTtlMs, history: 1 }),
        await kvm.create(`${config.name}_demand`, { ttl: config.demandTtlMs, history: 1 }),
      ];
    } catch (error) {
      await connection.close();
      throw new GatewayError(
        GatewayErrorCode.CLUSTER_UNREACHABLE,
        `NATS at ${displayServers(config.natsUrl)} has no usable JetStream key-value store: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const [leases, demand] = buckets;
    try {
      await checkMaxAge(leases, 'CLUSTER_LEASE_TTL', config.leaseTtlMs);
      await checkMaxAge(demand, 'CLUSTER_DEMAND_TTL', config.demandTtlMs);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return new Bus(config, connection, leases, demand, logger);
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** A subject of this cluster: `<cluster>.<tokens...>`. Tokens must already be subject-safe. */
  subject(...tokens: string[]): string {
    return [this.config.name, ...tokens].join('.');
  }

  /** The subject a symbol's ticks travel on: `<cluster>.tick.<exchange token>.<symbol token>`. */
  tickSubject(exchange: string, symbol: string): string {
    return this.subject('tick', encodeSubjectToken(exchange), encodeSubjectToken(symbol));
  }

  /** Publishes unless the connection is down (then counted in `publishDropped`). */
  publish(subject: string, payload: Uint8Array): void {
    if (!this.#connected) {
      this.counters.publishDropped++;
      return;
    }
    this.connection.publish(subject, payload);
    this.counters.published++;
  }

  /** Calls `listener` after each reconnection. Returns its removal. */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#reconnectListeners.clear();
    if (!this.connection.isClosed()) await this.connection.drain().catch(() => this.connection.close());
    await this.#statusLoop;
  }

  async #followStatus(logger: Logger): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') {
        this.#connected = false;
        logger.warn({ servers: displayServers(this.config.natsUrl) }, 'NATS disconnected; reconnecting');
      } else if (status.type === 'reconnect') {
        this.#connected = true;
        this.counters.reconnects++;
        logger.info({ servers: displayServers(this.config.natsUrl) }, 'NATS reconnected');
        for (const listener of this.#reconnectListeners) listener();
      }
    }
  }
}

/**
 * A bucket that exists already keeps the max age it was created with (creating it again changes
 * nothing), and every node's timing rests on it: a node whose TTL differs refuses to start.
 */
async function checkMaxAge(bucket: KV, variable: string, wantedMs: number): Promise<void> {
  const status = await bucket.status();
  if (status.ttl === wantedMs) return;
  throw new GatewayError(
    GatewayErrorCode.CONFIG_INVALID,
    `${variable} is ${wantedMs / 1000} s, but this cluster's bucket ${status.bucket} lapses entries after ` +
      `${status.ttl / 1000} s: every node of a cluster must use the same ${variable} ` +
      `(or remove the bucket, e.g. \`nats kv del ${status.bucket}\`, while no node runs)`,
  );
}
