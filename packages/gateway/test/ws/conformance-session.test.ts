import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway } from '../support/gateway-session.js';
import { connectAuthenticated, subscribe } from '../support/market-session.js';
import { TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

describe('ping over WebSocket', () => {
  it('answers pong with the server time, echoing timestamp and _pingId', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const pong = await client.request({ action: 'ping', timestamp: 1234, _pingId: 'p-9' }, 'pong');
      assert.deepEqual(Object.keys(pong).sort(), [
        '_pingId',
        'client_timestamp',
        'server_timestamp',
        'status',
        'type',
      ]);
      assert.equal(pong.status, 'success');
      assert.equal(pong.client_timestamp, 1234);
      assert.equal(pong._pingId, 'p-9');
      assert.equal(typeof pong.server_timestamp, 'number');
    }));

  it('leaves out the echoes a ping did not carry, and works before authentication', () =>
    withGateway({}, async (gateway) => {
      const client = await TestClient.connect(gateway.wsUrl);
      const pong = await client.request({ action: 'ping' }, 'pong');
      assert.deepEqual(Object.keys(pong).sort(), ['server_timestamp', 'status', 'type']);
    }));
});

describe('get_broker_info over WebSocket', () => {
  it("names the broker, the client's user id and the adapter status", () =>
    withGateway({}, async (gateway) => {
      const client = await TestClient.connect(gateway.wsUrl);
      const auth = await client.authenticate(TEST_API_KEYS[0]);
      const before = await client.request({ action: 'get_broker_info' }, 'broker_info');
      assert.deepEqual(before, {
        type: 'broker_info',
        status: 'success',
        broker: 'sim',
        adapter_status: 'not_connected',
        user_id: auth.user_id,
      });
      await subscribe(client, ['BTC/USDT']);
      const after = await client.request({ action: 'get_broker_info' }, 'broker_info');
      assert.equal(after.adapter_status, 'connected');
    }));
});

describe('get_supported_brokers over WebSocket', () => {
  it('lists the brokers with their count', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const reply = await client.request({ action: 'get_supported_brokers' }, 'supported_brokers');
      assert.equal(reply.status, 'success');
      assert.deepEqual(reply.brokers, ['sim']);
      assert.equal(reply.count, 1);
      assert.deepEqual(reply.exchanges, [{ exchange: 'SIM', broker: 'sim' }]);
    }));
});

describe('request_id over WebSocket', () => {
  // One request of every action, each with its own id: every reply must carry its request's id.
  const requests: [Record<string, unknown>, string][] = [
    [{ action: 'ping' }, 'pong'],
    [{ action: 'subscribe', symbols: [{ symbol: 'BTC/USDT', exchange: 'SIM' }], mode: 1 }, 'subscribe'],
    [{ action: 'unsubscribe', symbol: 'BTC/USDT', exchange: 'SIM' }, 'unsubscribe'],
    [{ action: 'unsubscribe_all' }, 'unsubscribe'],
    [{ action: 'get_broker_info' }, 'broker_info'],
    [{ action: 'get_supported_brokers' }, 'supported_brokers'],
    [{ action: 'get_stats', admin_token: TEST_ADMIN_TOKEN }, 'stats'],
    [{ action: 'cleanup_orphaned', admin_token: TEST_ADMIN_TOKEN }, 'cleanup_result'],
    [{ action: 'force_memory_cleanup', admin_token: TEST_ADMIN_TOKEN }, 'memory_cleanup_result'],
  ];

  it('is echoed on the reply of every action, as a string or a number', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      for (const [index, [message, type]] of requests.entries()) {
        const id = index % 2 === 0 ? `req-${index}` : index;
        const reply = await client.request({ ...message, request_id: id }, type);
        assert.equal(reply.type, type, JSON.stringify(reply));
        assert.equal(reply.request_id, id, `${type} reply`);
      }
    }));

  it('is echoed on error frames', () =>
    withGateway({}, async (gateway) => {
      const anonymous = await TestClient.connect(gateway.wsUrl);
      const refused = await anonymous.request(
        { action: 'get_broker_info', request_id: 'a-1' },
        'broker_info',
      );
      assert.deepEqual([refused.code, refused.request_id], ['NOT_AUTHENTICATED', 'a-1']);

      const client = await connectAuthenticated(gateway);
      const errors: [Record<string, unknown>, string][] = [
        [{ action: 'subscribe', symbol: 'BTC/USDT', exchange: 'SIM', mode: 9 }, 'INVALID_MODE'],
        [{ action: 'subscribe', symbols: [] }, 'INVALID_PARAMETERS'],
        [{ action: 'get_stats' }, 'FORBIDDEN'],
        [{ action: 'authenticate', api_key: 'not-a-configured-key' }, 'AUTHENTICATION_ERROR'],
        [{ action: 'buy' }, 'INVALID_ACTION'],
        [{ symbols: [] }, 'INVALID_ACTION'],
      ];
      for (const [index, [message, code]] of errors.entries()) {
        const reply = await client.request({ ...message, request_id: index }, 'error');
        assert.deepEqual([reply.code, reply.request_id], [code, index]);
      }
    }));
});
