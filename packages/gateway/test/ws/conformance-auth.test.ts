import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode } from '../../src/ws/close-codes.js';
import { assertOpen, withGateway } from '../support/gateway-session.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

const [ALICE, BOB] = TEST_API_KEYS;

describe('authenticate over WebSocket', () => {
  const forms: [string, Record<string, unknown>][] = [
    ['action "authenticate" with api_key', { action: 'authenticate', api_key: ALICE }],
    ['action "authenticate" with apikey', { action: 'authenticate', apikey: ALICE }],
    ['the "auth" alias', { action: 'auth', api_key: ALICE }],
    ['"type" instead of "action"', { type: 'authenticate', api_key: ALICE }],
  ];
  for (const [form, message] of forms) {
    it(`accepts ${form} and answers the OpenAlgo success shape`, () =>
      withGateway({}, async (gateway) => {
        const client = await TestClient.connect(gateway.wsUrl);
        const reply = await client.request(message, 'auth');
        assert.deepEqual(Object.keys(reply).sort(), [
          'broker',
          'message',
          'status',
          'supported_features',
          'type',
          'user_id',
        ]);
        assert.equal(reply.type, 'auth');
        assert.equal(reply.status, 'success');
        assert.equal(reply.broker, 'sim');
        assert.equal(typeof reply.user_id, 'string');
        assert.deepEqual(reply.supported_features, { ltp: true, quote: true, depth: true });
      }));
  }

  it('gives each key its own user_id, which never contains the key', () =>
    withGateway({}, async (gateway) => {
      const ids: unknown[] = [];
      for (const key of [ALICE, BOB]) {
        const client = await TestClient.connect(gateway.wsUrl);
        const reply = await client.authenticate(key);
        assert.equal(typeof reply.user_id, 'string');
        assert.ok(!String(reply.user_id).includes(key), 'user_id reveals the api key');
        ids.push(reply.user_id);
      }
      assert.notEqual(ids[0], ids[1]);
    }));

  it('gives the same user_id to every connection of one key', () =>
    withGateway({}, async (gateway) => {
      const first = await TestClient.connect(gateway.wsUrl);
      const second = await TestClient.connect(gateway.wsUrl);
      assert.equal((await first.authenticate(ALICE)).user_id, (await second.authenticate(ALICE)).user_id);
    }));

  const refused: [string, Record<string, unknown>][] = [
    ['a missing key', { action: 'authenticate' }],
    ['an empty key', { action: 'authenticate', api_key: '' }],
    ['a wrong key', { action: 'authenticate', api_key: 'not-a-configured-key' }],
    ['a key that is not a string', { action: 'authenticate', api_key: 12345678 }],
  ];
  for (const [what, message] of refused) {
    it(`answers AUTHENTICATION_ERROR for ${what} and lets the client try again`, () =>
      withGateway({}, async (gateway) => {
        const client = await TestClient.connect(gateway.wsUrl);
        const reply = await client.request(message, 'auth');
        assert.equal(reply.type, 'error');
        assert.equal(reply.status, 'error');
        assert.equal(reply.code, 'AUTHENTICATION_ERROR');
        assert.equal('user_id' in reply, false);
        assert.equal((await client.authenticate(ALICE)).status, 'success');
      }));
  }

  it('refuses to switch an authenticated connection to another user', () =>
    withGateway({}, async (gateway) => {
      const client = await TestClient.connect(gateway.wsUrl);
      const alice = await client.authenticate(ALICE);
      assert.equal((await client.authenticate(BOB)).code, 'AUTHENTICATION_ERROR');
      const info = await client.request({ action: 'get_broker_info' }, 'broker_info');
      assert.equal(info.user_id, alice.user_id);
    }));
});

describe('the authentication grace period', () => {
  const env = { WS_AUTH_GRACE_SECONDS: '0.3' };

  it('closes a client that never authenticates with 4401', () =>
    withGateway(env, async (gateway) => {
      const client = await TestClient.connect(gateway.wsUrl);
      assert.equal((await client.closed).code, CloseCode.AUTH_TIMEOUT);
    }));

  it('closes a client whose every attempt failed with 4401', () =>
    withGateway(env, async (gateway) => {
      const client = await TestClient.connect(gateway.wsUrl);
      assert.equal((await client.authenticate('not-a-configured-key')).code, 'AUTHENTICATION_ERROR');
      assert.equal((await client.closed).code, CloseCode.AUTH_TIMEOUT);
    }));

  it('keeps a client that authenticated in time', () =>
    withGateway(env, async (gateway) => {
      const early = await TestClient.connect(gateway.wsUrl);
      const late = await TestClient.connect(gateway.wsUrl);
      await early.authenticate(ALICE);
      // The late client's grace timer was started after the early one's, with the same length, so
      // once the late one is closed the early one's timer has fired too: no sleep needed.
      assert.equal((await late.closed).code, CloseCode.AUTH_TIMEOUT);
      await assertOpen(early);
      const pong = await early.request({ action: 'ping' }, 'pong');
      assert.equal(pong.status, 'success');
    }));
});
