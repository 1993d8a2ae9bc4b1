import assert from 'node:assert/strict';
import type { GatewayConfig } from '../../src/config/config.js';
import type { Gateway } from '../../src/gateway.js';
import type { UpstreamAdapter } from '../../src/upstream/upstream-adapter.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';
import { TEST_ADMIN_TOKEN, TEST_API_KEYS } from './test-gateway.js';
import { TestClient, type Message } from './ws-client.js';

/**
 * Memory thresholds no test process reaches. With them the monitor never cleans up by itself, so
 * whatever a test sees released was released by the path under test, not rescued by a cleanup.
 */
export const MONITOR_OUT_OF_THE_WAY = {
  WARNING_MEMORY_MB: '1048574',
  CLEANUP_MEMORY_MB: '1048575',
  MAX_MEMORY_MB: '1048576',
} as const;

export type Mode = 1 | 2 | 3;

/** The reply each admin action answers with. */
const ADMIN_REPLY = {
  get_stats: 'stats',
  cleanup_orphaned: 'cleanup_result',
  force_memory_cleanup: 'memory_cleanup_result',
} as const;

/** The symbols the gateway's simulated exchange lists, in the gateway's order (majors first). */
export function simSymbols(config: GatewayConfig): readonly string[] {
  return new SimMarket({ seed: config.sim.seed, symbolCount: config.sim.symbols }).symbols;
}

/** A client connected to `gateway` (in this process or another) and authenticated with `apiKey`. */
export async function connectAuthenticated(
  gateway: Pick<Gateway, 'wsUrl'>,
  apiKey: string = TEST_API_KEYS[0],
): Promise<TestClient> {
  const client = await TestClient.connect(gateway.wsUrl);
  const reply = await client.authenticate(apiKey);
  assert.equal(reply.status, 'success', `authentication failed: ${JSON.stringify(reply)}`);
  return client;
}

/** Subscribes to `symbols` on SIM and checks that every one was accepted. */
export async function subscribe(
  client: TestClient,
  symbols: readonly string[],
  options: { mode?: Mode; depth?: number } = {},
): Promise<Message> {
  const reply = await client.request(
    {
      action: 'subscribe',
      symbols: symbols.map((symbol) => ({ symbol, exchange: 'SIM' })),
      mode: options.mode ?? 1,
      ...(options.depth === undefined ? {} : { depth: options.depth }),
    },
    'subscribe',
  );
  assert.equal(reply.status, 'success', `subscribe failed: ${JSON.stringify(reply)}`);
  return reply;
}

/** Unsubscribes `symbols` on SIM (every mode held) and checks that every one was removed. */
export async function unsubscribe(client: TestClient, symbols: readonly string[]): Promise<Message> {
  const reply = await client.request(
    { action: 'unsubscribe', symbols: symbols.map((symbol) => ({ symbol, exchange: 'SIM' })) },
    'unsubscribe',
  );
  assert.equal(reply.status, 'success', `unsubscribe failed: ${JSON.stringify(reply)}`);
  return reply;
}

/** Matches the market data of `symbol`, optionally only ticks stamped after `after` (ms). */
export function marketDataOf(symbol: string, after = -Infinity): (m: Message) => boolean {
  return (m) => m.type === 'market_data' && m.symbol === symbol && tickTime(m) > after;
}

/** The exchange timestamp (ms) of a market_data message. */
export function tickTime(message: Message): number {
  const timestamp = (message.data as { timestamp?: unknown } | undefined)?.timestamp;
  assert.ok(typeof timestamp === 'number', `market data without a timestamp: ${JSON.stringify(message)}`);
  return timestamp;
}

/** Sends an admin action with the test admin token and returns its reply (or an error frame). */
export function adminRequest(client: TestClient, action: keyof typeof ADMIN_REPLY): Promise<Message> {
  return client.request({ action, admin_token: TEST_ADMIN_TOKEN }, ADMIN_REPLY[action]);
}

/** The SIM adapter the gateway holds now; fails the test when there is none. */
export function liveSimAdapter(gateway: Gateway): UpstreamAdapter {
  const handle = gateway.parts.adapters.live('SIM');
  assert.ok(handle, 'the gateway holds a SIM adapter');
  return handle.adapter;
}
