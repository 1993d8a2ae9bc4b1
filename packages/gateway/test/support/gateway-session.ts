import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { Gateway, GatewayOptions } from '../../src/gateway.js';
import { withScans } from './scan-api.js';
import type { TestClient } from './ws-client.js';

/**
 * Ticks fast enough that a test waits tens of milliseconds for market data, on a small universe.
 * The three majors (BTC/USDT, ETH/USDT, SOL/USDT) are always listed.
 */
export const FAST_SIM = { SIM_TICKS_PER_SECOND: '20', SIM_SYMBOLS: '50' } as const;

/** Runs `body` against a fresh gateway with fast SIM ticks and `env`, closing it however it ends. */
export function withGateway(
  env: Record<string, string>,
  body: (gateway: Gateway) => Promise<void>,
  options: Partial<GatewayOptions> = {},
): Promise<void> {
  return withScans({ ...FAST_SIM, ...env }, body, options);
}

/**
 * Proves the connection is open: a WebSocket-level ping comes back as a pong. Pings count against
 * the client's rate limit, so a client that just flooded may have its first pings refused: it
 * pings again every 250 ms (the bucket refills within a second) until a pong comes, the
 * connection closes, or 5 s pass.
 */
export async function assertOpen(client: TestClient): Promise<void> {
  assert.equal(client.ws.readyState, WebSocket.OPEN, 'the connection is not open');
  const pong = once(client.ws, 'pong').then(() => 'pong');
  const closed = client.closed.then(({ code }) => `closed with ${code}`);
  let outcome: string | undefined;
  for (let attempt = 0; attempt < 20 && outcome === undefined; attempt++) {
    client.ws.ping();
    outcome = await Promise.race([pong, closed, sleep(250).then(() => undefined)]);
  }
  assert.equal(outcome, 'pong');
}
