import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { Gateway } from '../../src/gateway.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { CloseCode } from '../../src/ws/close-codes.js';
import { assertOpen, withGateway } from '../support/gateway-session.js';
import { connectAuthenticated, marketDataOf, subscribe } from '../support/market-session.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient, type Message } from '../support/ws-client.js';

/**
 * The specification of bad-input handling: one row per kind of bad input, with the error code the
 * client gets and what happens to its connection. Every row runs on its own gateway beside a
 * well-behaved client, which must keep receiving market data and answering pings, and the
 * gateway must stay healthy with no unexpected (SERVER_ERROR) failure.
 */
interface BadInput {
  /** What the client does wrong. */
  input: string;
  /** The limits the row needs, as environment variables. */
  env?: Record<string, string>;
  /** Whether the client authenticates before misbehaving. */
  authenticated: boolean;
  /** Sends the bad input; returns the connection to judge when it is not the sender's. */
  send: (client: TestClient, gateway: Gateway) => void | Promise<TestClient | void>;
  /** The code of the error frame the client gets; null when ws cuts the connection without one. */
  code: ErrorCode | null;
  /** What happens to the connection. */
  fate: 'stays open' | { closedWith: number };
  /** What else must hold afterwards. */
  then?: (client: TestClient, error: Message | undefined) => void | Promise<void>;
}

const BTC = { symbol: 'BTC/USDT', exchange: 'SIM' };
const raw =
  (data: string | Buffer, binary = false) =>
  (client: TestClient) =>
    client.sendRaw(data, { binary });
const json = (message: Record<string, unknown>) => raw(JSON.stringify(message));
const subscribeWith = (fields: Record<string, unknown>) => json({ action: 'subscribe', ...fields });
const padded = (bytes: number) => {
  const frame = JSON.stringify({ action: 'ping', pad: '' });
  return JSON.stringify({ action: 'ping', pad: 'x'.repeat(bytes - frame.length) });
};
const SMALL_FRAMES = { WS_MAX_FRAME_BYTES: '1024' };
const FEW_SYMBOLS = { WS_MAX_SYMBOLS_PER_CLIENT: '2' };
const SLOW_RATE = { WS_MAX_MESSAGES_PER_SECOND: '5' };

/** A refusal of an admin action must not tell one user about another: it is a bare error frame. */
function revealsNoUserId(_client: TestClient, error: Message | undefined): void {
  assert.ok(error);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'status', 'type']);
  assert.doesNotMatch(JSON.stringify(error), /user-/);
}

const adminCases = (['get_stats', 'cleanup_orphaned', 'force_memory_cleanup'] as const).flatMap(
  (action): BadInput[] => [
    {
      input: `${action} without admin_token`,
      authenticated: true,
      send: json({ action }),
      code: ErrorCode.FORBIDDEN,
      fate: 'stays open',
      then: revealsNoUserId,
    },
    {
      input: `${action} with a wrong admin_token`,
      authenticated: true,
      send: json({ action, admin_token: 'not-the-admin-token-at-all' }),
      code: ErrorCode.FORBIDDEN,
      fate: 'stays open',
      then: revealsNoUserId,
    },
  ],
);

const beforeAuthCases = (
  [
    ['subscribe', { symbols: [BTC] }],
    ['unsubscribe', { symbols: [BTC] }],
    ['unsubscribe_all', {}],
    ['get_broker_info', {}],
    ['get_supported_brokers', {}],
  ] as const
).map(([action, fields]): BadInput => ({
  input: `${action} before authenticating`,
  authenticated: false,
  send: json({ action, ...fields }),
  code: ErrorCode.NOT_AUTHENTICATED,
  fate: 'stays open',
}));

const CASES: BadInput[] = [
  // Frames that are not a JSON object.
  {
    input: 'invalid JSON',
    authenticated: true,
    send: raw('{"action":'),
    code: ErrorCode.INVALID_JSON,
    fate: 'stays open',
  },
  {
    input: 'a JSON array',
    authenticated: true,
    send: raw('[{"action":"ping"}]'),
    code: ErrorCode.INVALID_JSON,
    fate: 'stays open',
  },
  {
    input: 'a JSON number',
    authenticated: true,
    send: raw('42'),
    code: ErrorCode.INVALID_JSON,
    fate: 'stays open',
  },
  {
    input: 'a JSON string',
    authenticated: true,
    send: raw('"ping"'),
    code: ErrorCode.INVALID_JSON,
    fate: 'stays open',
  },
  {
    input: 'JSON null',
    authenticated: true,
    send: raw('null'),
    code: ErrorCode.INVALID_JSON,
    fate: 'stays open',
  },
  {
    input: 'a binary frame',
    authenticated: true,
    send: raw(Buffer.from('{"action":"ping"}'), true),
    code: ErrorCode.INVALID_JSON,
    fate: 'stays open',
  },
  // Objects that are not a known message.
  {
    input: 'no action',
    authenticated: true,
    send: json({ symbols: [BTC] }),
    code: ErrorCode.INVALID_ACTION,
    fate: 'stays open',
  },
  {
    input: 'an unknown action',
    authenticated: true,
    send: json({ action: 'buy' }),
    code: ErrorCode.INVALID_ACTION,
    fate: 'stays open',
  },
  // Known messages with fields of the wrong type or out of range.
  {
    input: 'symbols not an array',
    authenticated: true,
    send: subscribeWith({ symbols: 'BTC/USDT' }),
    code: ErrorCode.INVALID_PARAMETERS,
    fate: 'stays open',
  },
  {
    input: 'a numeric symbol',
    authenticated: true,
    send: subscribeWith({ symbol: 42, exchange: 'SIM' }),
    code: ErrorCode.INVALID_PARAMETERS,
    fate: 'stays open',
  },
  {
    input: 'an exchange code over 32 characters',
    authenticated: true,
    send: subscribeWith({ symbol: 'BTC/USDT', exchange: 'X'.repeat(33) }),
    code: ErrorCode.INVALID_PARAMETERS,
    fate: 'stays open',
  },
  ...[0, 99, '5'].map((depth): BadInput => ({
    input: `depth ${JSON.stringify(depth)}`,
    authenticated: true,
    send: subscribeWith({ symbols: [BTC], mode: 3, depth }),
    code: ErrorCode.INVALID_PARAMETERS,
    fate: 'stays open',
  })),
  {
    input: 'a request_id object',
    authenticated: true,
    send: subscribeWith({ symbols: [BTC], request_id: { id: 1 } }),
    code: ErrorCode.INVALID_PARAMETERS,
    fate: 'stays open',
  },
  {
    input: 'a boolean mode',
    authenticated: true,
    send: subscribeWith({ symbols: [BTC], mode: true }),
    code: ErrorCode.INVALID_MODE,
    fate: 'stays open',
  },
  {
    input: 'the mode "constructor" (a name every plain object answers to)',
    authenticated: true,
    send: subscribeWith({ symbols: [BTC], mode: 'constructor' }),
    code: ErrorCode.INVALID_MODE,
    fate: 'stays open',
  },
  {
    input: 'mode 9',
    authenticated: true,
    send: subscribeWith({ symbols: [BTC], mode: 9 }),
    code: ErrorCode.INVALID_MODE,
    fate: 'stays open',
  },
  // Limits.
  {
    input: 'a frame over WS_MAX_FRAME_BYTES, under the hard cap',
    env: SMALL_FRAMES,
    authenticated: true,
    send: raw(padded(4096)),
    code: ErrorCode.FRAME_TOO_LARGE,
    fate: 'stays open',
  },
  {
    input: 'a frame over the hard cap (16 x WS_MAX_FRAME_BYTES, at least 1 MiB)',
    env: SMALL_FRAMES,
    authenticated: true,
    send: raw(padded(1_048_577)),
    code: null,
    fate: { closedWith: CloseCode.MESSAGE_TOO_BIG },
  },
  {
    input: 'more symbols in one request than WS_MAX_SYMBOLS_PER_CLIENT',
    env: FEW_SYMBOLS,
    authenticated: true,
    send: subscribeWith({
      symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].map((symbol) => ({ symbol, exchange: 'SIM' })),
    }),
    code: ErrorCode.MAX_SYMBOLS_REACHED,
    fate: 'stays open',
  },
  {
    input: 'subscriptions accumulating past WS_MAX_SYMBOLS_PER_CLIENT over several requests',
    env: FEW_SYMBOLS,
    authenticated: true,
    send: async (client) => {
      await subscribe(client, ['BTC/USDT']);
      await subscribe(client, ['ETH/USDT']);
      client.send({ action: 'subscribe', symbols: [{ symbol: 'SOL/USDT', exchange: 'SIM' }] });
    },
    code: ErrorCode.MAX_SYMBOLS_REACHED,
    fate: 'stays open',
    then: async (client) => {
      const all = await client.request({ action: 'unsubscribe_all' }, 'unsubscribe');
      const held = (all.successful as { symbol: string }[]).map((s) => s.symbol).sort();
      assert.deepEqual(held, ['BTC/USDT', 'ETH/USDT'], 'the earlier subscriptions are intact');
    },
  },
  {
    input: 'a burst past WS_MAX_MESSAGES_PER_SECOND',
    env: SLOW_RATE,
    authenticated: true,
    // Twice the rate at once: the first five pass, the rest are refused with one notice.
    send: (client) => {
      for (let i = 0; i < 10; i++) client.send({ action: 'ping' });
    },
    code: ErrorCode.RATE_LIMITED,
    fate: 'stays open',
  },
  {
    input: 'a sustained flood past WS_MAX_MESSAGES_PER_SECOND (over 5 seconds worth refused in a row)',
    env: SLOW_RATE,
    authenticated: true,
    send: async (client) => {
      // Keeps flooding until the gateway gives up on the client, as a runaway client would.
      for (let batch = 0; batch < 100 && client.ws.readyState === WebSocket.OPEN; batch++) {
        for (let i = 0; i < 50; i++) client.send({ action: 'ping' });
        await turn();
      }
    },
    code: ErrorCode.RATE_LIMITED,
    fate: { closedWith: CloseCode.POLICY_VIOLATION },
  },
  ...beforeAuthCases,
  ...adminCases,
  {
    input: 'a connection past WS_MAX_CONNECTIONS',
    env: { WS_MAX_CONNECTIONS: '2' },
    authenticated: false,
    // The well-behaved client and this one fill the gateway; a third connection is one too many.
    send: (_client, gateway) => TestClient.connect(gateway.wsUrl),
    code: ErrorCode.MAX_CONNECTIONS,
    fate: { closedWith: CloseCode.TRY_AGAIN_LATER },
  },
];

describe('bad input over WebSocket', () => {
  for (const c of CASES) {
    const fate = c.fate === 'stays open' ? 'stays open' : `closed with ${c.fate.closedWith}`;
    it(`${c.input}: ${c.code ?? 'no error frame'}, ${fate}; other clients unaffected`, () =>
      withGateway(c.env ?? {}, async (gateway) => {
        const observer = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
        await subscribe(observer, ['BTC/USDT'], { mode: 1 });
        await observer.next(marketDataOf('BTC/USDT'));

        const sender = await TestClient.connect(gateway.wsUrl);
        if (c.authenticated) assert.equal((await sender.authenticate(TEST_API_KEYS[0])).status, 'success');
        const judged = (await c.send(sender, gateway)) ?? sender;

        let error: Message | undefined;
        if (c.code !== null) {
          error = await judged.next((m) => m.type === 'error', 5000, `a ${c.code} error frame`);
          assert.equal(error.code, c.code);
          assert.equal(error.status, 'error');
        }
        if (c.fate === 'stays open') await assertOpen(judged);
        else assert.equal((await judged.closed).code, c.fate.closedWith);
        await c.then?.(judged, error);

        await observer.nextNew(marketDataOf('BTC/USDT'));
        const pong = await observer.request({ action: 'ping', _pingId: 'still-here' }, 'pong');
        assert.equal(pong._pingId, 'still-here');
        const health = await fetch(`${gateway.url}/healthz`);
        assert.equal(health.status, 200);
        const errors = gateway.stats().messages.errors_by_code;
        assert.equal(errors.SERVER_ERROR, undefined, 'an input reached the unexpected-error path');
      }));
  }
});
