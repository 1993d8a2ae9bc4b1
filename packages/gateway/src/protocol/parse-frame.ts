import { ACTIONS, readRequestId, type Action } from './client-messages.js';
import { ErrorCode, ProtocolError } from './error-codes.js';

export interface ParsedFrame {
  action: Action;
  message: Record<string, unknown>;
}

const ACTION_SET = new Set<string>(ACTIONS);

/**
 * Turns one text frame into an action and its message. The action is `action ?? type`, as
 * upstream reads it; `auth` is an alias of `authenticate`.
 */
export function parseFrame(data: Buffer, isBinary: boolean): ParsedFrame {
  if (isBinary)
    throw new ProtocolError(ErrorCode.INVALID_JSON, 'expected a text frame holding a JSON object');
  let message: unknown;
  try {
    message = JSON.parse(data.toString('utf8'));
  } catch {
    throw new ProtocolError(ErrorCode.INVALID_JSON, 'Invalid JSON message');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new ProtocolError(ErrorCode.INVALID_JSON, 'a message must be a JSON object');
  }
  const record = message as Record<string, unknown>;
  const raw = record.action ?? record.type;
  // A message that is an object echoes its request_id even when its action is wrong.
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new ProtocolError(
      ErrorCode.INVALID_ACTION,
      'a message needs an "action" (or "type") string',
      readRequestId(record),
    );
  }
  const action = raw === 'auth' ? 'authenticate' : raw;
  if (!ACTION_SET.has(action)) {
    throw new ProtocolError(
      ErrorCode.INVALID_ACTION,
      `Invalid action: ${raw.slice(0, 64)}`,
      readRequestId(record),
    );
  }
  return { action: action as Action, message: record };
}
