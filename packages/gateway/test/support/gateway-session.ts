import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import type { Gateway } from '../../src/gateway.js';
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
): Promise<void> {
  return withScans({ ...FAST_SIM, ...env }, body);
}

/**
 * Proves the connection is open: a WebSocket-level ping comes back as a pong. The server's ws
 * answers pings itself, outside the JSON rate limit, so this works for a rate-limited client too.
 */
export async function assertOpen(client: TestClient): Promise<void> {
  assert.equal(client.ws.readyState, WebSocket.OPEN, 'the connection is not open');
  const pong = once(client.ws, 'pong').then(() => 'pong');
  client.ws.ping();
  const outcome = await Promise.race([pong, client.closed.then(({ code }) => `closed with ${code}`)]);
  assert.equal(outcome, 'pong');
}
