import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import type { ClientConnection } from '../../src/ws/client-connection.js';
import { CloseCode } from '../../src/ws/close-codes.js';
import {
  connectAuthenticated,
  marketDataOf,
  MONITOR_OUT_OF_THE_WAY,
  simSymbols,
  subscribe,
  tickTime,
} from '../support/market-session.js';
import { startTestGateway, TEST_API_KEYS } from '../support/test-gateway.js';
import type { Message, TestClient } from '../support/ws-client.js';

const MAX_BUFFERED_BYTES = 32_768;
/** Fifty symbols at fifty ticks a second in Depth 20 frames of about 2.5 KB: some 6 MB/s for one client. */
const FLOOD = {
  ...MONITOR_OUT_OF_THE_WAY,
  SIM_SYMBOLS: '50',
  SIM_TICKS_PER_SECOND: '50',
  WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
} as const;
/** Larger than any market_data frame of the flood, so one frame over the limit stays within the bound. */
const LARGEST_FRAME = 8192;

/** The server side of the one client subscribed to `count` symbols. */
function serverSideOf(gateway: Gateway, count: number): ClientConnection {
  const found = [...gateway.parts.clients.values()].filter((c) => c.subscriptions?.size === count);
  assert.equal(found.length, 1, `one client holds ${count} subscriptions`);
  return found[0] as ClientConnection;
}

/** Heap in use plus Buffer memory after full collections: where unbounded queued frames would show. */
function retainedBytes(): number {
  const gc = globalThis.gc;
  assert.ok(gc, 'tests run with --expose-gc');
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * A client subscribed to every symbol in Depth 20, and its server side, once live data flows (a
 * tick generated after the subscribe, not only the cached last tick, has arrived).
 */
async function floodedClient(gateway: Gateway, symbols: readonly string[]) {
  const client = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
  await subscribe(client, symbols, { mode: 3, depth: 20 });
  const subscribedAt = Date.now();
  await client.next((m) => m.type === 'market_data' && tickTime(m) > subscribedAt, 5000, 'live data');
  return { client, server: serverSideOf(gateway, symbols.length) };
}

/**
 * Stops reading until the server is behind on the client, stays so for `holdMs` (through a few
 * slow-consumer checks), then reads again. Returns when the server fell behind.
 */
async function stall(gateway: Gateway, client: TestClient, server: ClientConnection, holdMs: number) {
  const { clients, sockets } = gateway.parts;
  client.ws.pause();
  await waitFor(
    () => {
      assert.equal(sockets.counters.slowClosed, 0, 'closed as a slow consumer');
      return clients.behind.has(server);
    },
    'the server to fall behind on the client',
    10_000,
  );
  const behindAt = Date.now();
  await sleep(holdMs);
  client.ws.resume();
  return behindAt;
}

/** Fails unless every symbol's ticks arrive in time order: conflation keeps the latest, it never reorders. */
function assertInTimeOrder(messages: readonly Message[]): void {
  const last = new Map<string, number>();
  for (const message of messages) {
    if (message.type !== 'market_data') continue;
    const symbol = String(message.symbol);
    const time = tickTime(message);
    assert.ok(time >= (last.get(symbol) ?? -Infinity), `${symbol} went back in time to ${time}`);
    last.set(symbol, time);
  }
}

describe('slow consumers', () => {
  it('a client that stops reading is conflated within bounds and closed with 4008; others keep receiving', async () => {
    const { gateway, config } = await startTestGateway({ ...FLOOD, WS_SLOW_CLIENT_TIMEOUT_SECONDS: '1.5' });
    const { clients, sockets } = gateway.parts;
    try {
      const symbols = simSymbols(config);
      const normal = await connectAuthenticated(gateway);
      await subscribe(normal, symbols.slice(0, 3));
      const normalServer = serverSideOf(gateway, 3);
      const { client: slow, server } = await floodedClient(gateway, symbols);

      const baseline = retainedBytes();
      const pausedAt = Date.now();
      // ws's pause() stops reading the socket: the kernel buffers fill, then the server's send buffer.
      slow.ws.pause();
      let maxBuffered = 0;
      let behindInStats = 0;
      let peakGrowth = 0;
      for (let polls = 1; sockets.counters.slowClosed === 0; polls++) {
        assert.ok(Date.now() - pausedAt < 20_000, 'the slow client was never closed');
        maxBuffered = Math.max(maxBuffered, server.ws.bufferedAmount);
        assert.ok(!clients.behind.has(normalServer), 'the reading client never falls behind');
        if (behindInStats === 0 && clients.behind.has(server)) {
          behindInStats = gateway.stats().clients.behind;
        }
        if (polls % 20 === 0) peakGrowth = Math.max(peakGrowth, retainedBytes() - baseline);
        await sleep(5);
      }
      // Reading again, the client drains what the kernel holds and finds the close frame behind it.
      slow.ws.resume();
      assert.equal((await slow.closed).code, CloseCode.SLOW_CONSUMER);

      assert.equal(behindInStats, 1, 'stats showed the client behind');
      assert.ok(server.metrics.conflated > 0, 'ticks were conflated');
      // The send buffer stops growing at the limit (plus the one frame that crossed it); the rest
      // waits as the latest tick per stream, at most one per subscription.
      assert.ok(maxBuffered <= MAX_BUFFERED_BYTES + LARGEST_FRAME, `buffered ${maxBuffered} bytes`);
      // Unbounded, the backlog would grow by megabytes a second at this rate.
      assert.ok(peakGrowth < 4 * 1024 * 1024, `retained memory grew by ${peakGrowth} bytes`);

      await waitFor(() => clients.size === 1, 'the server to release the slow client');
      assert.equal(clients.behind.size, 0);
      assert.ok(
        normal.messages.some(marketDataOf(symbols[0] ?? '', pausedAt)),
        'data while the other stalled',
      );
      await normal.next(marketDataOf(symbols[0] ?? '', Date.now()), 5000, 'data after it was closed');
      assert.equal(gateway.stats().connections.slow_closed, 1);
    } finally {
      await gateway.close();
    }
  });

  it('a client slow for a moment catches up, is not closed and receives the latest values', async () => {
    const timeoutMs = 3000;
    /** A fifth of the timeout: two or three checks find the client behind each time. */
    const holdMs = 600;
    const { gateway, config } = await startTestGateway({
      ...FLOOD,
      WS_SLOW_CLIENT_TIMEOUT_SECONDS: String(timeoutMs / 1000),
    });
    const { clients, sockets } = gateway.parts;
    try {
      const symbols = simSymbols(config);
      const { client, server } = await floodedClient(gateway, symbols);
      const from = client.messages.length;

      const firstBehindAt = await stall(gateway, client, server, holdMs);
      await waitFor(() => !clients.behind.has(server), 'the client to catch up', 10_000);
      // Stalled again once the first stall is older than the timeout: each stall is judged on its own.
      await sleep(Math.max(0, firstBehindAt + timeoutMs + 250 - Date.now()));
      await stall(gateway, client, server, holdMs);
      await waitFor(() => !clients.behind.has(server), 'the client to catch up again', 10_000);

      assert.equal(sockets.counters.slowClosed, 0);
      assert.ok(server.metrics.conflated > 0, 'ticks were conflated while it was behind');
      const caughtUpAt = Date.now();
      for (const symbol of symbols) {
        await client.next(marketDataOf(symbol, caughtUpAt), 5000, `a current ${symbol} tick`);
      }
      assertInTimeOrder(client.messages.slice(from));
      assert.equal(client.ws.readyState, client.ws.OPEN);
    } finally {
      await gateway.close();
    }
  });
});
