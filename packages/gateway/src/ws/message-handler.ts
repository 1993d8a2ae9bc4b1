import { incrementCounter } from '@steadystate/lifecycle';
import type { RawData } from 'ws';
import { readRequestId, type Action } from '../protocol/client-messages.js';
import { ErrorCode, ProtocolError } from '../protocol/error-codes.js';
import { parseFrame } from '../protocol/parse-frame.js';
import type { ClientConnection } from './client-connection.js';
import { cleanupOrphaned, forceMemoryCleanup, getStats } from './handlers/admin-handlers.js';
import type { ActionHandler, HandlerContext } from './handlers/handler-context.js';
import { authenticate, getBrokerInfo, getSupportedBrokers, ping } from './handlers/session-handlers.js';
import { subscribe, unsubscribe, unsubscribeAll } from './handlers/subscription-handlers.js';

const HANDLERS: Record<Action, ActionHandler> = {
  authenticate,
  ping,
  subscribe,
  unsubscribe,
  unsubscribe_all: unsubscribeAll,
  get_broker_info: getBrokerInfo,
  get_supported_brokers: getSupportedBrokers,
  get_stats: getStats,
  cleanup_orphaned: cleanupOrphaned,
  force_memory_cleanup: forceMemoryCleanup,
};

/** Actions a client may send before it authenticates; admin actions check their own token. */
const OPEN_ACTIONS = new Set<Action>([
  'authenticate',
  'ping',
  'get_stats',
  'cleanup_orphaned',
  'force_memory_cleanup',
]);

/** Counters of what arrived, for metrics. */
export interface MessageCounters {
  frames: number;
  refused: number;
  tooLarge: number;
  /** Error frames sent, by code. */
  errors: Map<string, number>;
}

/**
 * Turns frames into replies: rate limit and size first (cheap, before parsing), then parse,
 * dispatch and answer. Every failure becomes an error frame with a stable code; the connection,
 * other clients and the process carry on.
 */
export class MessageHandler {
  readonly #context: HandlerContext;
  readonly #maxFrameBytes: number;
  readonly counters: MessageCounters = { frames: 0, refused: 0, tooLarge: 0, errors: new Map() };

  constructor(context: HandlerContext, maxFrameBytes: number) {
    this.#context = context;
    this.#maxFrameBytes = maxFrameBytes;
  }

  onFrame(client: ClientConnection, data: RawData, isBinary: boolean): void {
    this.counters.frames = incrementCounter(this.counters.frames);
    client.metrics.messagesIn = incrementCounter(client.metrics.messagesIn);
    if (!client.limiter.tryTake()) {
      this.counters.refused = incrementCounter(this.counters.refused);
      client.refuse(performance.now());
      return;
    }
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    if (buffer.length > this.#maxFrameBytes) {
      this.counters.tooLarge = incrementCounter(this.counters.tooLarge);
      this.#fail(
        client,
        ErrorCode.FRAME_TOO_LARGE,
        `frames are limited to ${this.#maxFrameBytes} bytes; got ${buffer.length}`,
      );
      return;
    }
    const accepted = client.enqueue(() => this.#handle(client, buffer, isBinary));
    if (!accepted) this.#fail(client, ErrorCode.RATE_LIMITED, 'too many messages waiting to be handled');
  }

  async #handle(client: ClientConnection, buffer: Buffer, isBinary: boolean): Promise<void> {
    let requestId: string | number | undefined;
    try {
      const { action, message } = parseFrame(buffer, isBinary);
      requestId = readRequestId(message);
      if (client.userId === undefined && !OPEN_ACTIONS.has(action)) {
        throw new ProtocolError(ErrorCode.NOT_AUTHENTICATED, 'You must authenticate first');
      }
      const reply = await HANDLERS[action](client, message, this.#context, requestId);
      if (reply) client.sendJson(reply);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.#fail(client, error.code, error.message, requestId ?? error.requestId);
      } else {
        this.#context.logger.error({ client: client.id, err: error }, 'message handler failed');
        this.#fail(client, ErrorCode.SERVER_ERROR, 'internal error while handling the message', requestId);
      }
    }
  }

  #fail(client: ClientConnection, code: ErrorCode, message: string, requestId?: string | number): void {
    this.counters.errors.set(code, (this.counters.errors.get(code) ?? 0) + 1);
    client.sendError(code, message, requestId);
  }
}
