import type { TestContext } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { Redis } from 'ioredis';
import type { Gateway, GatewayOptions } from '../../src/gateway.js';
import { LATEST_MARKET_DATA_KEY, MARKET_INDICES_KEY } from '../../src/indices/market-indices-service.js';
import { REDIS, REDIS_URL, requireRedis } from './services.js';
import { TcpProxy } from './tcp-proxy.js';
import { startTestGateway } from './test-gateway.js';

/** One client as CLIENT LIST shows it. */
export interface RedisClientInfo {
  id: string;
  /** Where the client connects from, `ip:port`. */
  addr: string;
  name: string;
}

/**
 * A connection of the test's own to the shared Redis, for what the server says about its
 * clients: the gateway's own view of its connection is what is under test.
 */
class RedisAdmin {
  readonly #redis: Redis;
  readonly id: string;

  private constructor(redis: Redis, id: string) {
    this.#redis = redis;
    this.id = id;
  }

  static async connect(): Promise<RedisAdmin> {
    const redis = new Redis(REDIS_URL, { connectionName: 'steadystate-test-admin', lazyConnect: true });
    await redis.connect();
    return new RedisAdmin(redis, String(await redis.client('ID')));
  }

  /**
   * `connected_clients` (INFO clients) and CLIENT LIST read in one MULTI, so both describe the
   * same instant.
   */
  async snapshot(): Promise<{ connectedClients: number; clients: RedisClientInfo[] }> {
    const replies = await this.#redis.multi().info('clients').client('LIST').exec();
    const [info, list] = (replies ?? []).map(([error, reply]) => {
      if (error) throw error;
      return String(reply);
    });
    const connected = /^connected_clients:(\d+)/m.exec(info ?? '');
    if (!connected) throw new Error(`no connected_clients in INFO clients: ${info}`);
    const clients = (list ?? '')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => ({
        id: /\bid=(\S+)/.exec(line)?.[1] ?? '',
        addr: /\baddr=(\S+)/.exec(line)?.[1] ?? '',
        name: /\bname=(\S*)/.exec(line)?.[1] ?? '',
      }));
    return { connectedClients: Number(connected[1]), clients };
  }

  /** Cuts a client's connection from the server side, as a Redis restart or failover would. */
  async kill(id: string): Promise<void> {
    await this.#redis.client('KILL', 'ID', id);
  }

  /** The gateway's keys have fixed names; tests delete them so the next one starts clean. */
  async deleteGatewayKeys(): Promise<void> {
    await this.#redis.del(MARKET_INDICES_KEY, LATEST_MARKET_DATA_KEY);
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}

export interface RedisSession {
  gateway: Gateway;
  /** Between the gateway and Redis; forwards as is until the test takes it down. */
  proxy: TcpProxy;
  /** `connected_clients` before the gateway started, as {@link connectedClients} counts it. */
  baseline: number;
  /**
   * The server's `connected_clients`, less the connections of other processes on the shared
   * server (other suites, other services): what this test and its gateway hold.
   */
  connectedClients: () => Promise<number>;
  /** This gateway's connections as the server lists them: the ones that came through the proxy. */
  gatewayClients: () => Promise<RedisClientInfo[]>;
  /** CLIENT KILL ID: cuts a connection from the server side. */
  kill: (id: string) => Promise<void>;
}

/**
 * Runs `body` against a fresh gateway on the shared Redis, through a {@link TcpProxy} (so the
 * server can tell this gateway's connections from anyone else's, and the test can take Redis
 * away), then checks that once the gateway is closed the server holds exactly the connections it
 * held before. Skips (or, under CI=true, fails) when Redis is not reachable. The gateway's keys
 * are deleted at the end. `options` go to the gateway (a manual clock).
 */
export async function withRedisGateway(
  t: TestContext,
  env: Record<string, string>,
  body: (session: RedisSession) => Promise<void>,
  options: Partial<GatewayOptions> = {},
): Promise<void> {
  if (!(await requireRedis(t))) return;
  const admin = await RedisAdmin.connect();
  const proxy = await TcpProxy.start(REDIS);
  const ours = (client: RedisClientInfo) =>
    client.id === admin.id || proxy.upstreamAddresses().has(client.addr);
  const connectedClients = async () => {
    const { connectedClients, clients } = await admin.snapshot();
    return connectedClients - clients.filter((client) => !ours(client)).length;
  };
  const gatewayClients = async () => {
    const through = proxy.upstreamAddresses();
    return (await admin.snapshot()).clients.filter((client) => through.has(client.addr));
  };
  try {
    const baseline = await connectedClients();
    const { gateway } = await startTestGateway(
      { SIM_SYMBOLS: '50', REDIS_URL: `redis://127.0.0.1:${proxy.port}`, ...env },
      options,
    );
    try {
      await body({
        gateway,
        proxy,
        baseline,
        connectedClients,
        gatewayClients,
        kill: (id) => admin.kill(id),
      });
    } finally {
      await gateway.close();
    }
    // The server frees a connection just after it answers QUIT: poll for it, briefly.
    await waitFor(
      async () => (await connectedClients()) === baseline,
      `connected_clients back to ${baseline} after the gateway closed`,
    );
  } finally {
    await proxy.close();
    await admin.deleteGatewayKeys();
    await admin.close();
  }
}
