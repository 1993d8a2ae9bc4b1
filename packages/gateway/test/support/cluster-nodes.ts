import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { ClusteredStats } from '../../src/stats/gateway-stats.js';
import { spawnGateway, type SpawnedGateway } from './spawn-gateway.js';
import { makeTempDir } from './temp-dir.js';
import { TEST_ADMIN_TOKEN, TEST_API_KEYS } from './test-gateway.js';

/** Short lifecycle delays, so tests see leases lapse and symbols unsubscribed in seconds. */
export const FAST_CLUSTER_ENV = {
  CLUSTER_LEASE_TTL: '2',
  CLUSTER_DEMAND_TTL: '3',
  BROKER_ADAPTER_CLEANUP_DELAY: '2',
  WEBSOCKET_CLEANUP_INTERVAL: '0.5',
  SIM_TICKS_PER_SECOND: '5',
} as const;

export interface ClusterNodeProcess extends SpawnedGateway {
  readonly nodeId: string;
  readonly wsUrl: string;
}

/**
 * Starts gateway processes as nodes `<prefix>1`, `<prefix>2`, … of a cluster with a name of the
 * test's own on `natsUrl`; each is killed when the test ends if it still runs.
 */
export async function startClusterNodes(
  t: TestContext,
  natsUrl: string,
  count: number,
  env: Record<string, string> = {},
): Promise<{
  cluster: string;
  nodes: ClusterNodeProcess[];
  /** Starts one more node; `extra` overrides the shared environment for it alone. */
  add: (nodeId: string, extra?: Record<string, string>) => Promise<ClusterNodeProcess>;
}> {
  const cluster = `t${randomBytes(4).toString('hex')}`;
  const add = async (nodeId: string, extra: Record<string, string> = {}): Promise<ClusterNodeProcess> => {
    const spawned = await spawnGateway({
      DATA_DIR: await makeTempDir(),
      LOG_LEVEL: 'info',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      API_KEYS: TEST_API_KEYS.join(','),
      NATS_URL: natsUrl,
      NODE_ID: nodeId,
      CLUSTER_NAME: cluster,
      ...FAST_CLUSTER_ENV,
      ...env,
      ...extra,
    });
    t.after(() => {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGKILL');
    });
    return { ...spawned, nodeId, wsUrl: spawned.url.replace(/^http/, 'ws') };
  };
  const nodes: ClusterNodeProcess[] = [];
  for (let i = 1; i <= count; i++) nodes.push(await add(`node${i}`));
  return { cluster, nodes, add };
}

/** A node's `/stats`, cluster section included. */
export async function clusterStats(node: { url: string }): Promise<ClusteredStats> {
  const response = await fetch(`${node.url}/stats`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  if (!response.ok) throw new Error(`/stats answered ${response.status}`);
  return ((await response.json()) as { data: ClusteredStats }).data;
}

/** Per node, how many SIM symbols its own upstream adapter subscribes (0 where it holds no lease). */
export async function upstreamSubscriptions(nodes: readonly { url: string }[]): Promise<number[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const stats = await clusterStats(node);
      const own = stats.cluster.nodes.find((n) => n.node === stats.node);
      return own?.owned.find((o) => o.exchange === 'SIM')?.upstreamSubscriptions ?? 0;
    }),
  );
}

/** Polls `read` until `done` holds for its value, or fails after `timeoutMs` with the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
