import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import {
  PeriodicJob,
  schedulingOf,
  systemClock,
  type Clock,
  type Logger,
  type MeasuredStructure,
  type SchedulingOptions,
  type StructureRegistry,
} from '@steadystate/lifecycle';
import { HttpError } from './http-errors.js';

/** A comment line this often lets proxies and the server notice a dead client. */
const HEARTBEAT_MS = 15_000;

/**
 * One Server-Sent Events response: the headers, `event:`/`data:` framing, and backpressure. A
 * write that fills the socket's buffer makes the stream `backedUp` until it drains; the owner
 * then skips (a dashboard sample) or waits (`whenDrained`, a log read) instead of queueing.
 */
export class EventStream {
  readonly #response: ServerResponse;
  readonly #now: Clock;
  readonly #onEnd: (stream: EventStream) => void;
  readonly #endListeners: (() => void)[] = [];
  #backedUp = false;
  #lastWrite: number;
  #ended = false;

  /** `headers`: those the reply already carries (the security headers), sent with the stream's own. */
  constructor(
    response: ServerResponse,
    headers: OutgoingHttpHeaders,
    now: Clock,
    onEnd: (stream: EventStream) => void,
  ) {
    this.#response = response;
    this.#now = now;
    this.#lastWrite = now();
    this.#onEnd = onEnd;
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.once('close', () => this.end());
    response.on('drain', () => (this.#backedUp = false));
  }

  /** True while the socket's buffer is full: write nothing more until it drains. */
  get backedUp(): boolean {
    return this.#backedUp;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Writes one event; returns false when the buffer is now full (see `backedUp`). */
  send(event: string, data: unknown): boolean {
    return this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Calls `callback` once the buffer has drained (at once if it is not full). */
  whenDrained(callback: () => void): void {
    if (!this.#backedUp) callback();
    else this.#response.once('drain', callback);
  }

  /** Calls `callback` once the stream ends, whoever ends it. */
  onEnd(callback: () => void): void {
    if (this.#ended) callback();
    else this.#endListeners.push(callback);
  }

  /** Ends the response (the client left, the content is complete, or shutdown). Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#response.writableEnded) this.#response.end();
    this.#response.removeAllListeners('drain');
    for (const listener of this.#endListeners.splice(0)) listener();
    this.#onEnd(this);
  }

  /** A comment line when nothing was written for a while. */
  heartbeat(now: number): void {
    if (!this.#ended && !this.#backedUp && now - this.#lastWrite >= HEARTBEAT_MS)
      this.#write(': keepalive\n\n');
  }

  #write(text: string): boolean {
    if (this.#ended) return false;
    this.#lastWrite = this.#now();
    const flushed = this.#response.write(text);
    if (!flushed) this.#backedUp = true;
    return flushed;
  }
}

export interface EventStreamsOptions extends SchedulingOptions {
  /** Names the set in stats. */
  name: string;
  /** Streams open at once at most; the route answers 503 TOO_MANY_STREAMS beyond. */
  capacity: number;
  structures: StructureRegistry;
  logger: Logger;
  /** @default Date.now */
  now?: Clock;
}

/**
 * The open streams of one kind, bounded, with one heartbeat timer for all of them, and all ended
 * by `close()` (an open stream would otherwise hold the HTTP server open at shutdown).
 */
export class EventStreams implements MeasuredStructure {
  readonly name: string;
  readonly capacity: number;
  readonly #streams = new Set<EventStream>();
  readonly #now: Clock;
  readonly #heartbeat: PeriodicJob;
  readonly #unregister: () => void;

  constructor(options: EventStreamsOptions) {
    this.name = options.name;
    this.capacity = options.capacity;
    this.#now = options.now ?? systemClock;
    this.#heartbeat = new PeriodicJob({
      name: `${options.name}-heartbeat`,
      intervalMs: HEARTBEAT_MS / 3,
      run: () => {
        const now = this.#now();
        for (const stream of this.#streams) stream.heartbeat(now);
      },
      logger: options.logger,
      ...schedulingOf(options),
    });
    this.#unregister = options.structures.register(this);
  }

  /** Starts the heartbeat; only needed with `autostart: false`. */
  start(): void {
    this.#heartbeat.start();
  }

  get size(): number {
    return this.#streams.size;
  }

  get full(): boolean {
    return this.#streams.size >= this.capacity;
  }

  /**
   * A stream answering `reply`, which is hijacked: the stream writes the response from here on.
   * Throws 503 TOO_MANY_STREAMS (naming `what`) when `capacity` streams are open.
   */
  openOn(reply: FastifyReply, what: string): EventStream {
    if (this.full) throw new HttpError.TOO_MANY_STREAMS(this.capacity, what);
    void reply.hijack();
    const headers = reply.getHeaders() as OutgoingHttpHeaders;
    const stream = new EventStream(reply.raw, headers, this.#now, (ended) => this.#streams.delete(ended));
    this.#streams.add(stream);
    return stream;
  }

  /** Ends every open stream: the HTTP server's preClose, since open streams would hold it open. */
  endAll(): void {
    for (const stream of [...this.#streams]) stream.end();
  }

  /** Ends every stream, stops the heartbeat and unregisters. Idempotent. */
  async close(): Promise<void> {
    this.endAll();
    this.#unregister();
    await this.#heartbeat.close();
  }
}
