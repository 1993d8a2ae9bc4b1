import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { Tick } from '../../src/domain/tick.js';
import type { Gateway } from '../../src/gateway.js';
import type { ClientConnection } from '../../src/ws/client-connection.js';
import { CloseCode } from '../../src/ws/close-codes.js';
import {
  connectAuthenticated,
  MONITOR_OUT_OF_THE_WAY,
  simSymbols,
  subscribe,
} from '../support/market-session.js';
import { startTestGateway } from '../support/test-gateway.js';
import type { TestClient } from '../support/ws-client.js';

/** Prices of the ticks the test publishes: far above any simulated price, so they are told apart. */
const MARK = 1_000_000_000;
/** More ticks than one fan-out turn drains (2,048), and more bytes than a corked socket holds before an early flush. */
const TICKS_PER_ROUND = 3000;
const QUIET_SIM = { ...MONITOR_OUT_OF_THE_WAY, SIM_SYMBOLS: '5', SIM_TICKS_PER_SECOND: '0.1' } as const;

/** What the client saw, in the order its socket delivered it. */
type Seen =
  { kind: 'tick'; n: number } | { kind: 'ping'; data: string } | { kind: 'unreadable'; text: string };

function record(client: TestClient): Seen[] {
  const seen: Seen[] = [];
  client.ws.on('message', (data: Buffer) => {
    const text = data.toString();
    try {
      const message = JSON.parse(text) as { type?: string; data?: { ltp?: number } };
      const ltp = message.data?.ltp;
      if (message.type === 'market_data' && typeof ltp === 'number' && ltp >= MARK) {
        seen.push({ kind: 'tick', n: ltp - MARK });
      }
    } catch {
      seen.push({ kind: 'unreadable', text });
    }
  });
  client.ws.on('ping', (data: Buffer) => seen.push({ kind: 'ping', data: data.toString() }));
  return seen;
}

/** Publishes `count` marked ticks in one synchronous stretch: the fan-out drains them in as few turns as it can. */
function publishRound(gateway: Gateway, symbols: readonly string[], from: number, count: number): void {
  for (let i = from; i < from + count; i++) {
    const tick: Tick = {
      exchange: 'SIM',
      symbol: symbols[i % symbols.length] as string,
      timestamp: Date.now(),
      ltp: MARK + i,
      ltt: Date.now(),
    };
    gateway.parts.fanout.publish(tick);
  }
}

function serverSide(gateway: Gateway): ClientConnection {
  const [client] = [...gateway.parts.clients.values()];
  assert.ok(client, 'the server holds the client');
  return client;
}

/** Counts the frames per system call the server's socket for `client` makes. */
function countWrites(client: ClientConnection): { calls: number; largest: number } {
  const socket = (client.ws as unknown as { _socket: Socket & { _writev: (...args: unknown[]) => void } })
    ._socket;
  const counts = { calls: 0, largest: 0 };
  const writev = socket._writev.bind(socket);
  socket._writev = (chunks: unknown, callback: unknown) => {
    counts.calls++;
    counts.largest = Math.max(counts.largest, (chunks as unknown[]).length);
    writev(chunks, callback);
  };
  return counts;
}

describe('corked fan-out turns', () => {
  it('delivers every frame of a long turn whole and in order, with a ping and the close frame in their places', async () => {
    const { gateway, config } = await startTestGateway({ ...QUIET_SIM, WS_MAX_BUFFERED_BYTES: '67108864' });
    try {
      const symbols = simSymbols(config);
      const client = await connectAuthenticated(gateway);
      await subscribe(client, symbols);
      const seen = record(client);
      const server = serverSide(gateway);
      const writes = countWrites(server);
      const droppedBefore = gateway.parts.ring.stats().dropped;

      publishRound(gateway, symbols, 0, TICKS_PER_ROUND);
      await waitFor(() => gateway.parts.ring.size === 0, 'the first round to be fanned out');
      server.ws.ping('between the rounds');
      publishRound(gateway, symbols, TICKS_PER_ROUND, TICKS_PER_ROUND);
      await waitFor(() => gateway.parts.ring.size === 0, 'the second round to be fanned out');
      server.close(CloseCode.GOING_AWAY, 'after the rounds');
      assert.equal((await client.closed).code, CloseCode.GOING_AWAY);

      assert.equal(gateway.parts.ring.stats().dropped, droppedBefore, 'the ring buffer dropped nothing');
      assert.deepEqual(
        seen.filter((s) => s.kind === 'unreadable'),
        [],
        'every frame parsed whole',
      );
      const ticks = seen.flatMap((s) => (s.kind === 'tick' ? [s.n] : []));
      assert.equal(ticks.length, 2 * TICKS_PER_ROUND, 'every tick arrived');
      assert.ok(
        ticks.every((n, i) => n === i),
        'ticks arrived in the order they were published',
      );
      const ping = seen.findIndex((s) => s.kind === 'ping');
      assert.equal(ping, TICKS_PER_ROUND, 'the ping arrived after the first round and before the second');
      assert.equal(server.metrics.conflated, 0);
      // Two frames (header and payload) per message; corked, many messages share one system call.
      assert.ok(writes.largest > 20, `at most ${writes.largest} chunks per write`);
      assert.ok(writes.calls < TICKS_PER_ROUND, `${writes.calls} writes for ${2 * TICKS_PER_ROUND} messages`);
    } finally {
      await gateway.close();
    }
  });

  it('a client that stops reading is conflated at the bound and closed with 4008, as without corking', async () => {
    const maxBufferedBytes = 32_768;
    const { gateway, config } = await startTestGateway({
      ...QUIET_SIM,
      WS_MAX_BUFFERED_BYTES: String(maxBufferedBytes),
      WS_SLOW_CLIENT_TIMEOUT_SECONDS: '0.5',
    });
    try {
      const symbols = simSymbols(config);
      const client = await connectAuthenticated(gateway);
      await subscribe(client, symbols);
      const server = serverSide(gateway);
      client.ws.pause();

      let round = 0;
      let largestBuffered = 0;
      while (gateway.parts.sockets.counters.slowClosed === 0) {
        publishRound(gateway, symbols, round++ * TICKS_PER_ROUND, TICKS_PER_ROUND);
        await waitFor(() => gateway.parts.ring.size === 0, 'the round to be fanned out');
        largestBuffered = Math.max(largestBuffered, server.ws.bufferedAmount);
        assert.ok(round < 1000, 'the client was never closed');
      }
      client.ws.resume();
      assert.equal((await client.closed).code, CloseCode.SLOW_CONSUMER);
      assert.ok(server.metrics.conflated > 0, 'ticks were conflated');
      // One frame may cross the bound, as before; everything later waits as the latest per stream.
      assert.ok(largestBuffered <= maxBufferedBytes + 1024, `buffered ${largestBuffered} bytes`);
      assert.equal(gateway.stats().connections.slow_closed, 1);
    } finally {
      await gateway.close();
    }
  });
});
