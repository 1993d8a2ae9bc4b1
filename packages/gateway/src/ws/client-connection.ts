import { incrementCounter, type Clock, type TimerHandle, type Timers } from '@steadystate/lifecycle';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { ClientSubscriptions } from '../market/client-subscriptions.js';
import type { Subscriber } from '../market/topic-index.js';
import type { HeldWriter, WriteBatch } from '../market/write-batch.js';
import { errorFrame, ErrorCode } from '../protocol/error-codes.js';
import { CloseCode } from './close-codes.js';
import { RateLimiter } from './rate-limiter.js';

/** Limits every connection shares. */
export interface ClientLimits {
  maxBufferedBytes: number;
  /** Corked bytes after which a fan-out turn flushes a client early: see {@link corkFlushBytes}. */
  corkFlushBytes: number;
  slowClientTimeoutMs: number;
  maxMessagesPerSecond: number;
  /** Called when the client starts falling behind, so the server checks on it. */
  onBehind: (client: ClientConnection) => void;
  /** Called for each reply dropped because the client was over the bound. */
  onReplyDropped: () => void;
  /** The gateway's clock: when a client fell behind, and its auth grace timer. */
  now: Clock;
  timers: Timers;
}

/** Counters of one connection, dropped with it. */
export interface ClientMetrics {
  connectedAt: number;
  messagesIn: number;
  messagesOut: number;
  bytesOut: number;
  /** Ticks replaced by a newer one of the same stream while the client was behind. */
  conflated: number;
  /** Replies and error frames dropped because the client's send buffer was over the bound. */
  droppedReplies: number;
  refused: number;
  errors: number;
}

/** How a behind client stands after a flush attempt. */
export type CatchUp = 'caught-up' | 'behind' | 'too-slow';

const TEXT = { binary: false } as const;
/** The queue of a client with no message in progress: one promise for all, not one each. */
const IDLE_QUEUE: Promise<void> = Promise.resolve();
/** A close handshake the peer does not finish (it stopped reading) is cut after this long. */
const CLOSE_GRACE_MS = 2000;
/**
 * A corked socket is flushed early once this much of a turn is held back: 64 KiB, or half the
 * send-buffer bound if that is less. A long turn still writes in large batches, and corking alone
 * never puts a client that reads over the bound.
 */
export function corkFlushBytes(maxBufferedBytes: number): number {
  return Math.min(65_536, Math.floor(maxBufferedBytes / 2));
}

/**
 * One WebSocket client: its identity, subscriptions, rate limit, counters and send path. The
 * bound is on the socket, whatever filled it: above `maxBufferedBytes` of unsent data the client
 * is behind; its ticks are conflated (only the latest per stream is kept, so the backlog is
 * bounded by its subscriptions) and replies to its own requests are dropped and counted, never
 * queued. A client still behind after `slowClientTimeoutMs` is closed with 4008. Messages from the
 * client are handled one at a time. During a fan-out turn the socket is corked (bytes held back
 * count toward the bound, as `ws`'s `bufferedAmount` includes them).
 */
export class ClientConnection implements Subscriber, HeldWriter {
  readonly id: string;
  readonly ws: WebSocket;
  readonly metrics: ClientMetrics;
  readonly limiter: RateLimiter;
  userId: string | undefined;
  subscriptions: ClientSubscriptions | undefined;
  /** Answered the last keepalive ping. */
  alive = true;
  readonly #limits: ClientLimits;
  #authTimer: TimerHandle | undefined;
  #pending: Map<string, Buffer> | undefined;
  #behindSince: number | undefined;
  #queue = IDLE_QUEUE;
  #inFlight = 0;
  #refusedStreak = 0;
  /** Unset until the first notice; a number field would hold a boxed -Infinity per client. */
  #lastRefusalNotice: number | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  /** The socket under `ws`, as the upgrade handed it over: corked for a fan-out turn. */
  readonly #socket: Duplex;
  /** Bytes written since the socket was corked for the current turn; undefined while uncorked. */
  #corkedBytes: number | undefined;

  /** The peer's address, for per-address limits (never shown in stats). */
  readonly address: string;

  constructor(
    id: string,
    connection: { ws: WebSocket; socket: Duplex; address: string },
    limits: ClientLimits,
    now: number,
  ) {
    this.id = id;
    this.ws = connection.ws;
    this.#socket = connection.socket;
    this.address = connection.address;
    this.#limits = limits;
    this.limiter = new RateLimiter(limits.maxMessagesPerSecond);
    this.metrics = {
      connectedAt: now,
      messagesIn: 0,
      messagesOut: 0,
      bytesOut: 0,
      conflated: 0,
      droppedReplies: 0,
      refused: 0,
      errors: 0,
    };
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get behind(): boolean {
    return this.#behindSince !== undefined;
  }

  /** Closes the client with 4401 unless it authenticates within `ms`. */
  startAuthGrace(ms: number): void {
    // The client is the timer's argument, so arming it allocates no closure per client.
    this.#authTimer = this.#limits.timers.setTimeout(authTimeout, ms, this);
  }

  /** Records a successful authenticate and ends the grace period. */
  authenticated(userId: string): void {
    this.userId = userId;
    this.#clearAuthTimer();
  }

  /** The client's subscriptions, created on its first subscribe. */
  ensureSubscriptions(): ClientSubscriptions {
    return (this.subscriptions ??= new ClientSubscriptions());
  }

  /**
   * Sends a market-data payload now, or keeps it as the latest of its stream while behind. In a
   * fan-out turn (`batch`), the socket is corked on the first write and uncorked when the turn
   * ends.
   */
  deliver(slot: string, payload: Buffer, batch?: WriteBatch): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.#pending !== undefined || this.ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#conflate(slot, payload);
      return;
    }
    if (batch === undefined) {
      this.#write(payload);
      return;
    }
    if (this.#corkedBytes === undefined) {
      this.#socket.cork();
      this.#corkedBytes = 0;
      batch.hold(this);
    }
    this.#write(payload);
    this.#corkedBytes += payload.length;
    if (this.#corkedBytes >= this.#limits.corkFlushBytes) {
      this.#socket.uncork();
      this.#socket.cork();
      this.#corkedBytes = 0;
    }
  }

  /** Uncorks the socket at the end of a fan-out turn: the turn's frames leave in one write. */
  release(): void {
    if (this.#corkedBytes === undefined) return;
    this.#corkedBytes = undefined;
    this.#socket.uncork();
  }

  /** True, and the client marked behind, when its send buffer is over the bound. */
  #overBound(): boolean {
    if (this.ws.bufferedAmount <= this.#limits.maxBufferedBytes) return false;
    this.#markBehind();
    return true;
  }

  /**
   * Sends what was kept while behind, as far as the send buffer allows. Called by the server's
   * slow-consumer check; `now` decides whether the client has been behind for too long.
   */
  catchUp(now: number): CatchUp {
    const behindSince = this.#behindSince;
    if (behindSince === undefined) return 'caught-up';
    if (this.ws.bufferedAmount <= this.#limits.maxBufferedBytes / 2) {
      const pending = this.#pending;
      for (const [slot, payload] of pending ?? []) {
        if (this.ws.bufferedAmount > this.#limits.maxBufferedBytes) break;
        pending?.delete(slot);
        this.#write(payload);
      }
      if (!pending || pending.size === 0) {
        this.#pending = this.#behindSince = undefined;
        return 'caught-up';
      }
    }
    return now - behindSince > this.#limits.slowClientTimeoutMs ? 'too-slow' : 'behind';
  }

  /**
   * Sends a reply or an error frame. Dropped (and counted) while the send buffer is over the
   * bound: a client that asks without reading must not grow the server's memory.
   */
  sendJson(message: object): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.#overBound()) {
      this.#dropReply();
      return;
    }
    this.#write(Buffer.from(JSON.stringify(message)));
  }

  sendError(code: ErrorCode, message: string, requestId?: string | number): void {
    this.metrics.errors = incrementCounter(this.metrics.errors);
    this.sendJson(errorFrame(code, message, requestId));
  }

  /**
   * A frame arrived over the rate limit. It is refused; one RATE_LIMITED notice a second at most
   * (a flood must not be answered with a flood), and a client that keeps flooding past five
   * seconds' worth of messages in a row is closed with 1008.
   */
  refuse(now: number): void {
    this.metrics.refused = incrementCounter(this.metrics.refused);
    this.#refusedStreak++;
    if (this.#refusedStreak > 5 * this.#limits.maxMessagesPerSecond) {
      this.close(CloseCode.POLICY_VIOLATION, 'rate limit exceeded');
      return;
    }
    if (this.#lastRefusalNotice === undefined || now - this.#lastRefusalNotice >= 1000) {
      this.#lastRefusalNotice = now;
      this.sendError(
        ErrorCode.RATE_LIMITED,
        `more than ${this.#limits.maxMessagesPerSecond} messages per second; message refused`,
      );
    }
  }

  /**
   * Answers a ping from the client. Pings count against the message rate limit like any frame
   * (a sustained ping flood is closed with 1008), and their pongs against the send-buffer bound
   * like any reply: ws's own automatic answer would do neither.
   */
  answerPing(data: Buffer, now: number): void {
    if (!this.limiter.tryTake()) {
      this.refuse(now);
      return;
    }
    this.#refusedStreak = 0;
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.#overBound()) {
      this.#dropReply();
      return;
    }
    this.ws.pong(data);
  }

  /**
   * Runs `handle` after the client's earlier messages are handled. Returns false (and runs
   * nothing) when too many are waiting already.
   */
  enqueue(handle: () => Promise<void>): boolean {
    this.#refusedStreak = 0;
    if (this.#inFlight >= Math.max(16, this.#limits.maxMessagesPerSecond)) return false;
    this.#inFlight++;
    this.#queue = this.#queue.then(handle).finally(() => {
      // Idle again: let go of the chain's last promise (an idle client would keep it for life).
      if (--this.#inFlight === 0) this.#queue = IDLE_QUEUE;
    });
    return true;
  }

  /**
   * Starts the close handshake; a peer that does not finish it is cut off after a grace period
   * (real time, whatever the gateway's clock: it only stops a hang).
   */
  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CLOSED || this.#closeTimer) return;
    this.ws.close(code, reason);
    this.#closeTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.#closeTimer.unref();
  }

  /** Clears the connection's timers and what it kept; called once the socket has closed. */
  dispose(): void {
    this.#clearAuthTimer();
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#pending = this.#behindSince = undefined;
  }

  #clearAuthTimer(): void {
    if (this.#authTimer === undefined) return;
    this.#limits.timers.clearTimeout(this.#authTimer);
    this.#authTimer = undefined;
  }

  #write(payload: Buffer): void {
    this.ws.send(payload, TEXT);
    this.metrics.messagesOut = incrementCounter(this.metrics.messagesOut);
    this.metrics.bytesOut = incrementCounter(this.metrics.bytesOut, payload.length);
  }

  #dropReply(): void {
    this.metrics.droppedReplies = incrementCounter(this.metrics.droppedReplies);
    this.#limits.onReplyDropped();
  }

  #markBehind(): void {
    if (this.#behindSince !== undefined) return;
    this.#behindSince = this.#limits.now();
    this.#limits.onBehind(this);
  }

  #conflate(slot: string, payload: Buffer): void {
    if (this.#pending === undefined) {
      this.#pending = new Map();
      this.#markBehind();
    }
    // Delete first so a re-set stream moves to the end: the flush then sends in arrival order.
    if (this.#pending.delete(slot)) this.metrics.conflated = incrementCounter(this.metrics.conflated);
    this.#pending.set(slot, payload);
  }
}

function authTimeout(client: ClientConnection): void {
  if (client.userId === undefined) client.close(CloseCode.AUTH_TIMEOUT, 'auth timeout');
}
