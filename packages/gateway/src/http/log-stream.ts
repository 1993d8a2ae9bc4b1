import type { ServerResponse } from 'node:http';
import type { ScanService } from '../scans/scan-service.js';
import { isFinished } from './task-presenter.js';

/** How often a stream looks for new log lines. */
const POLL_MS = 250;
/** A comment line this often lets proxies and the server notice a dead client. */
const HEARTBEAT_MS = 15_000;

/**
 * One Server-Sent Events stream of a task's session log: `log` events with new content from the
 * client's offset, then one `end` event once the task has finished and everything was sent. A
 * slow reader is not polled again until its socket drains, so a stream never buffers more than
 * one chunk (64 KiB) per client.
 */
export class LogStream {
  readonly #scans: ScanService;
  readonly #id: string;
  readonly #response: ServerResponse;
  readonly #onDone: (stream: LogStream) => void;
  #offset: number;
  #timer: NodeJS.Timeout | undefined;
  #lastWrite = Date.now();
  #done = false;

  constructor(
    scans: ScanService,
    id: string,
    offset: number,
    response: ServerResponse,
    onDone: (s: LogStream) => void,
  ) {
    this.#scans = scans;
    this.#id = id;
    this.#offset = offset;
    this.#response = response;
    this.#onDone = onDone;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.on('close', () => this.close());
    void this.#poll();
  }

  /** Ends the stream (client gone, task done, or the server shutting down). Idempotent. */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#response.writableEnded) this.#response.end();
    this.#onDone(this);
  }

  async #poll(): Promise<void> {
    this.#timer = undefined;
    if (this.#done) return;
    const lookup = this.#scans.lookup(this.#id);
    const ended = lookup.state !== 'found' || (isFinished(lookup.task) && this.#scans.logComplete(this.#id));
    const chunk = await this.#scans.readLog(this.#id, this.#offset);
    if (this.#done) return;
    let flushed = true;
    if (chunk && chunk.content.length > 0) {
      flushed = this.#send('log', {
        offset: this.#offset,
        next_offset: chunk.nextOffset,
        content: chunk.content,
      });
      this.#offset = chunk.nextOffset;
    }
    const caughtUp = chunk === null || this.#offset >= chunk.size;
    if (ended && (lookup.state !== 'found' || caughtUp)) {
      this.#send('end', { status: lookup.state === 'found' ? lookup.task.status : lookup.state });
      this.close();
      return;
    }
    if (Date.now() - this.#lastWrite >= HEARTBEAT_MS) flushed = this.#write(': keepalive\n\n') && flushed;
    if (flushed) this.#schedule();
    else this.#response.once('drain', () => this.#schedule());
  }

  #schedule(): void {
    if (this.#done) return;
    this.#timer = setTimeout(() => void this.#poll(), POLL_MS);
  }

  #send(event: string, data: unknown): boolean {
    return this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #write(text: string): boolean {
    this.#lastWrite = Date.now();
    return this.#response.write(text);
  }
}

/** Every open log stream, bounded, so shutdown can end them (they would hold the server open). */
export class LogStreams {
  readonly #streams = new Set<LogStream>();
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#streams.size;
  }

  get full(): boolean {
    return this.#streams.size >= this.capacity;
  }

  open(scans: ScanService, id: string, offset: number, response: ServerResponse): void {
    this.#streams.add(new LogStream(scans, id, offset, response, (s) => this.#streams.delete(s)));
  }

  closeAll(): void {
    for (const stream of [...this.#streams]) stream.close();
  }
}
