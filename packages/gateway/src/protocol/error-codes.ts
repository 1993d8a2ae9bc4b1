/**
 * Error codes of the WebSocket protocol. The first nine are OpenAlgo's; the rest are ours, for
 * limits and admin access. Clients branch on `code`, never on `message`.
 */
export const ErrorCode = {
  INVALID_JSON: 'INVALID_JSON',
  INVALID_ACTION: 'INVALID_ACTION',
  INVALID_PARAMETERS: 'INVALID_PARAMETERS',
  INVALID_MODE: 'INVALID_MODE',
  AUTHENTICATION_ERROR: 'AUTHENTICATION_ERROR',
  NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
  BROKER_ERROR: 'BROKER_ERROR',
  PROCESSING_ERROR: 'PROCESSING_ERROR',
  SERVER_ERROR: 'SERVER_ERROR',
  /** A frame larger than WS_MAX_FRAME_BYTES (the connection stays open). */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** More messages per second than WS_MAX_MESSAGES_PER_SECOND. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A subscribe that would take the client past WS_MAX_SYMBOLS_PER_CLIENT. */
  MAX_SYMBOLS_REACHED: 'MAX_SYMBOLS_REACHED',
  /** The gateway holds WS_MAX_CONNECTIONS connections already (the connection is then closed). */
  MAX_CONNECTIONS: 'MAX_CONNECTIONS',
  /** Memory is CRITICAL: new connections are refused until it is back under the cleanup level. */
  SERVER_OVERLOADED: 'SERVER_OVERLOADED',
  /** An admin action without the right admin token. */
  FORBIDDEN: 'FORBIDDEN',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error frame as sent to the client. `type` is ours; upstream sends only status/code/message. */
export interface ErrorFrame {
  type: 'error';
  status: 'error';
  code: ErrorCode;
  message: string;
  request_id?: string | number;
}

/** Thrown by message handlers to answer with an error frame; anything else becomes SERVER_ERROR. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  /** The request's `request_id`, when the error is found before the handler reads it. */
  readonly requestId: string | number | undefined;

  constructor(code: ErrorCode, message: string, requestId?: string | number) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.requestId = requestId;
  }
}

export function errorFrame(code: ErrorCode, message: string, requestId?: string | number): ErrorFrame {
  return requestId === undefined
    ? { type: 'error', status: 'error', code, message }
    : { type: 'error', status: 'error', code, message, request_id: requestId };
}
