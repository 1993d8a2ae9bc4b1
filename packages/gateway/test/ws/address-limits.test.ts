import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { manualClock } from '@steadystate/lifecycle/testing';
import { WebSocket } from 'ws';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { CloseCode } from '../../src/ws/close-codes.js';
import { withGateway } from '../support/gateway-session.js';
import { api, errorCode } from '../support/scan-api.js';
import { TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

/** The status an upgrade is answered with when the server refuses it before the handshake. */
async function upgradeStatus(url: string, origin: string): Promise<number> {
  const ws = new WebSocket(url, { origin });
  const outcome = await Promise.race([
    once(ws, 'open').then(() => 101),
    once(ws, 'unexpected-response').then(([, response]) => (response as { statusCode: number }).statusCode),
  ]);
  ws.terminate();
  return outcome;
}

describe('per-address limits and allowed origins', () => {
  it('blocks an address after AUTH_MAX_FAILURES wrong keys, over WebSocket and HTTP alike, until AUTH_BLOCK_SECONDS pass', async () => {
    const clock = manualClock(Date.now());
    await withGateway(
      {
        AUTH_MAX_FAILURES: '3',
        AUTH_FAILURE_WINDOW_SECONDS: '60',
        AUTH_BLOCK_SECONDS: '120',
        // The clock jumps two minutes: keepalive rounds and the auth grace must not cut the client.
        WS_PING_INTERVAL_SECONDS: '3600',
        WS_AUTH_GRACE_SECONDS: '3600',
      },
      async (gateway) => {
        const guesser = await TestClient.connect(gateway.wsUrl);
        for (let i = 0; i < 3; i++) {
          const reply = await guesser.request(
            { action: 'authenticate', api_key: `wrong-key-00${i}` },
            'error',
          );
          assert.equal(reply.code, ErrorCode.AUTHENTICATION_ERROR);
        }
        // Blocked: even the right key is refused without being checked, on any connection.
        const blocked = await guesser.request({ action: 'authenticate', api_key: TEST_API_KEYS[0] }, 'error');
        assert.equal(blocked.code, ErrorCode.RATE_LIMITED);
        const stats = await api(gateway, 'GET', '/stats', {
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        });
        assert.deepEqual(
          [stats.status, errorCode(stats), stats.headers.get('retry-after')],
          [429, 'TOO_MANY_FAILURES', '120'],
        );
        assert.equal(gateway.stats().auth.blocks, 1);
        const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
        assert.match(metrics, /^steadystate_auth_blocks_total 1$/m);

        await clock.advanceAsync(120_000);
        const reply = await guesser.request({ action: 'authenticate', api_key: TEST_API_KEYS[0] }, 'auth');
        assert.equal(reply.status, 'success', 'the block is over');
        await guesser.close();
      },
      { clock },
    );
  });

  it('refuses connections past WS_MAX_CONNECTIONS_PER_ADDRESS with 1013, and takes new ones as others leave', () =>
    withGateway({ WS_MAX_CONNECTIONS_PER_ADDRESS: '2' }, async (gateway) => {
      const first = await TestClient.connect(gateway.wsUrl);
      const second = await TestClient.connect(gateway.wsUrl);
      const third = await TestClient.connect(gateway.wsUrl);
      const refusal = await third.next((m) => m.type === 'error', 5000, 'the refusal');
      assert.equal(refusal.code, ErrorCode.MAX_CONNECTIONS);
      assert.equal((await third.closed).code, CloseCode.TRY_AGAIN_LATER);
      assert.equal(gateway.stats().connections.refused_address, 1);
      await first.close();
      const fourth = await TestClient.connect(gateway.wsUrl);
      const pong = await fourth.request({ action: 'ping' }, 'pong');
      assert.equal(pong.status, 'success', 'a slot of the address was free again');
      await Promise.all([second.close(), fourth.close()]);
    }));

  it('with ALLOWED_ORIGINS, refuses pages of other origins (upgrade and dashboard stream) and takes listed ones and programs', () =>
    withGateway({ ALLOWED_ORIGINS: 'https://app.example.com' }, async (gateway) => {
      assert.equal(await upgradeStatus(gateway.wsUrl, 'https://evil.example.net'), 403);
      assert.equal(await upgradeStatus(gateway.wsUrl, 'https://app.example.com'), 101);
      const program = await TestClient.connect(gateway.wsUrl); // no Origin at all
      await program.close();
      assert.equal(gateway.stats().connections.refused_origin, 1);

      const stream = await api(gateway, 'GET', `/api/dashboard/stream?token=${TEST_ADMIN_TOKEN}`, {
        headers: { origin: 'https://evil.example.net' },
      });
      assert.deepEqual([stream.status, errorCode(stream)], [403, 'FORBIDDEN_ORIGIN']);
    }));
});
