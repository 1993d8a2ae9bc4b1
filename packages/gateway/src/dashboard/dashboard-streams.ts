import type { ServerResponse } from 'node:http';
import type { StatsSample, StatsSampler } from './stats-sampler.js';

/** Every this many samples a stream also gets a snapshot of the tables (cleanups, structures). */
const SNAPSHOT_EVERY = 5;

/**
 * The dashboards' Server-Sent Events streams: on connect the sample history and a snapshot, then
 * one `sample` event a second and a `snapshot` every five. A stream whose client reads slowly
 * skips samples until its socket drains instead of queueing them. Bounded in number, and all
 * ended when the server closes.
 */
export class DashboardStreams {
  readonly capacity: number;
  readonly #sampler: StatsSampler;
  readonly #snapshot: () => unknown;
  readonly #streams = new Set<{ response: ServerResponse; unsubscribe: () => void }>();

  constructor(options: { sampler: StatsSampler; snapshot: () => unknown; capacity: number }) {
    this.#sampler = options.sampler;
    this.#snapshot = options.snapshot;
    this.capacity = options.capacity;
  }

  get size(): number {
    return this.#streams.size;
  }

  get full(): boolean {
    return this.#streams.size >= this.capacity;
  }

  open(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    send(response, 'history', this.#sampler.history.toArray());
    send(response, 'snapshot', this.#snapshot());
    let sent = 0;
    let draining = false;
    const unsubscribe = this.#sampler.onSample((sample: StatsSample) => {
      if (draining) return;
      let ok = send(response, 'sample', sample);
      if (++sent % SNAPSHOT_EVERY === 0) ok = send(response, 'snapshot', this.#snapshot()) && ok;
      if (!ok) {
        draining = true;
        response.once('drain', () => (draining = false));
      }
    });
    const stream = { response, unsubscribe };
    this.#streams.add(stream);
    response.once('close', () => {
      unsubscribe();
      this.#streams.delete(stream);
    });
  }

  closeAll(): void {
    for (const { response, unsubscribe } of [...this.#streams]) {
      unsubscribe();
      response.end();
    }
    this.#streams.clear();
  }
}

function send(response: ServerResponse, event: string, data: unknown): boolean {
  return response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
