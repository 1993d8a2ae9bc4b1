/**
 * Bad input a share of the clients send, each answered by the gateway with an error frame of a
 * stable code (or, for a client that never authenticates, a close with 4401) while the
 * connection, the other clients and the process carry on.
 */
export const BAD_INPUTS = [
  /** A frame that is not JSON: INVALID_JSON. */
  'invalid-json',
  /** An action the protocol does not have: INVALID_ACTION. */
  'unknown-action',
  /** A subscribe before authenticating: NOT_AUTHENTICATED. */
  'subscribe-before-auth',
  /** A frame above WS_MAX_FRAME_BYTES (64 KiB by default) but under ws's hard cap: FRAME_TOO_LARGE. */
  'oversized-frame',
  /** A key the gateway does not know, before the right one: AUTHENTICATION_ERROR. */
  'wrong-api-key',
  /** A subscribe whose mode is a boolean, after authenticating: INVALID_MODE. */
  'boolean-mode',
  /** No authenticate at all: the gateway closes the connection after WS_AUTH_GRACE_SECONDS. */
  'never-authenticate',
] as const;

export type BadInput = (typeof BAD_INPUTS)[number];

/** Above the gateway's default WS_MAX_FRAME_BYTES (65,536), far below the 1 MiB hard cap. */
const OVERSIZED_BYTES = 70_000;

/** The frame of a bad input sent before authenticating; null for those sent later or not at all. */
export function preAuthFrame(kind: BadInput, symbol: string, exchange: string): string | null {
  switch (kind) {
    case 'invalid-json':
      return '{"action":"subscribe","symbols":[';
    case 'unknown-action':
      return JSON.stringify({ action: 'teleport' });
    case 'subscribe-before-auth':
      return JSON.stringify({ action: 'subscribe', symbols: [{ symbol, exchange }], mode: 1 });
    case 'oversized-frame':
      return JSON.stringify({ action: 'ping', padding: 'x'.repeat(OVERSIZED_BYTES) });
    case 'wrong-api-key':
      return JSON.stringify({ action: 'authenticate', api_key: 'not-a-key-of-this-gateway' });
    case 'boolean-mode':
    case 'never-authenticate':
      return null;
  }
}

/** The bad frame sent once authenticated, if `kind` is one. */
export function postAuthFrame(kind: BadInput, symbol: string, exchange: string): string | null {
  return kind === 'boolean-mode'
    ? JSON.stringify({ action: 'subscribe', symbols: [{ symbol, exchange }], mode: true })
    : null;
}
