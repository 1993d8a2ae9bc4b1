import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectGarbage, waitFor } from '@steadystate/lifecycle/testing';
import { connectAuthenticated, MONITOR_OUT_OF_THE_WAY } from '../support/market-session.js';
import { startTestGateway } from '../support/test-gateway.js';
import { CloseCode } from '../../src/ws/close-codes.js';

/** Each request asks for a reply of about this size (a ping echoes its `_pingId`). */
const REPLY_BYTES = 8192;
const FLOOD = {
  ...MONITOR_OUT_OF_THE_WAY,
  WS_MAX_MESSAGES_PER_SECOND: '100000',
  WS_MAX_BUFFERED_BYTES: '65536',
  WS_SLOW_CLIENT_TIMEOUT_SECONDS: '0.5',
} as const;

/** Heap and Buffer memory after full collections: where queued replies would show. */
async function retainedBytes(): Promise<number> {
  await collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

describe('a client that asks and never reads', () => {
  it('is closed as a slow consumer, its replies dropped, and the memory they took returns', async () => {
    const { gateway } = await startTestGateway({ ...FLOOD, WS_PING_INTERVAL_SECONDS: '3600' });
    try {
      const { sockets } = gateway.parts;
      const before = await retainedBytes();
      const client = await connectAuthenticated(gateway);
      client.ws.pause();
      const pingId = 'x'.repeat(REPLY_BYTES);
      // Far more than the kernel's buffers and the bound hold: 32 MB of replies asked for.
      for (let i = 0; i < 4096 && sockets.counters.slowClosed === 0; i++) {
        client.ws.send(JSON.stringify({ action: 'ping', _pingId: pingId }));
        if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
      }
      await waitFor(
        () => sockets.counters.slowClosed === 1,
        'the client to be closed as a slow consumer',
        15_000,
      );
      await waitFor(() => gateway.parts.clients.size === 0, 'the server to release the client', 15_000);
      assert.ok(gateway.stats().connections.replies_dropped > 0, 'replies over the bound were dropped');
      client.ws.terminate();
      const after = await retainedBytes();
      // What the queued replies took (megabytes) is gone; a little slack for the test's own objects.
      assert.ok(after - before < 4 * 1024 * 1024, `retained ${after - before} bytes more than before`);
    } finally {
      await gateway.close();
    }
  });

  it('is not kept alive by pongs it sends of its own', async () => {
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      WS_PING_INTERVAL_SECONDS: '0.1',
    });
    try {
      const client = await connectAuthenticated(gateway);
      client.ws.pause();
      const pongs = setInterval(() => client.ws.pong(Buffer.from('unsolicited')), 10);
      try {
        await waitFor(
          () => gateway.parts.sockets.counters.keepaliveTerminated === 1,
          'the keepalive to cut the client',
          10_000,
        );
      } finally {
        clearInterval(pongs);
      }
      client.ws.terminate();
    } finally {
      await gateway.close();
    }
  });

  it('is closed with 1008 when it floods pings: they count against its rate limit like any frame', async () => {
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      WS_MAX_MESSAGES_PER_SECOND: '50',
    });
    try {
      const client = await connectAuthenticated(gateway);
      for (let i = 0; i < 2000 && client.ws.readyState === client.ws.OPEN; i++) client.ws.ping();
      assert.equal((await client.closed).code, CloseCode.POLICY_VIOLATION);
    } finally {
      await gateway.close();
    }
  });
});
