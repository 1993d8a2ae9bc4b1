import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { parseFrame } from '../../src/protocol/parse-frame.js';
import { protocolError } from '../support/protocol-errors.js';

const text = (value: string) => Buffer.from(value, 'utf8');
const frame = (message: unknown) => parseFrame(text(JSON.stringify(message)), false);

describe('parseFrame', () => {
  it('reads the action from "action", and from "type" when "action" is absent', () => {
    assert.equal(frame({ action: 'ping' }).action, 'ping');
    assert.equal(frame({ type: 'subscribe' }).action, 'subscribe');
  });

  it('prefers "action" over "type" (upstream reads action ?? type)', () => {
    assert.equal(frame({ action: 'ping', type: 'subscribe' }).action, 'ping');
  });

  it('takes "auth" as an alias of "authenticate", under either key', () => {
    assert.equal(frame({ action: 'auth' }).action, 'authenticate');
    assert.equal(frame({ type: 'auth' }).action, 'authenticate');
  });

  it('returns the message itself for the handler to read', () => {
    const message = { action: 'subscribe', symbol: 'BTC/USDT', exchange: 'SIM', mode: 1 };
    assert.deepEqual(frame(message).message, message);
  });

  const invalidActions: [string, unknown][] = [
    ['an unknown action', { action: 'launch_rockets' }],
    ['an unknown type', { type: 'market_data' }],
    ['no action and no type', { symbol: 'BTC/USDT' }],
    ['an empty action', { action: '' }],
    ['a numeric action', { action: 1 }],
    ['an action given as an array', { action: ['ping'] }],
    ['a null action with no type', { action: null }],
  ];
  for (const [what, message] of invalidActions) {
    it(`answers INVALID_ACTION for ${what}`, () => {
      assert.throws(() => frame(message), protocolError(ErrorCode.INVALID_ACTION));
    });
  }

  const invalidJson: [string, string][] = [
    ['malformed JSON', '{"action": "ping"'],
    ['an empty frame', ''],
    ['a JSON array', '[{"action":"ping"}]'],
    ['a JSON number', '42'],
    ['a JSON string', '"ping"'],
    ['JSON null', 'null'],
    ['a JSON boolean', 'true'],
  ];
  for (const [what, raw] of invalidJson) {
    it(`answers INVALID_JSON for ${what}`, () => {
      assert.throws(() => parseFrame(text(raw), false), protocolError(ErrorCode.INVALID_JSON));
    });
  }

  it('refuses a binary frame even when it holds a valid message', () => {
    assert.throws(
      () => parseFrame(text(JSON.stringify({ action: 'ping' })), true),
      protocolError(ErrorCode.INVALID_JSON),
    );
  });
});
