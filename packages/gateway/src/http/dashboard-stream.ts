import type { EventStream } from './event-stream.js';
import type { StatsSample, StatsSampler } from '../dashboard/stats-sampler.js';

/** Every this many samples a stream also gets a snapshot of the tables (cleanups, structures). */
const SNAPSHOT_EVERY = 5;

/**
 * One dashboard's stream: on connect the sample history and a snapshot, then one `sample` event a
 * second and a `snapshot` every five. While the client reads slowly, samples are skipped until its
 * socket drains, never queued.
 */
export function streamDashboard(stream: EventStream, sampler: StatsSampler, snapshot: () => unknown): void {
  stream.send('history', sampler.history.toArray());
  stream.send('snapshot', snapshot());
  let sent = 0;
  const unsubscribe = sampler.onSample((sample: StatsSample) => {
    if (stream.backedUp) return;
    stream.send('sample', sample);
    if (++sent % SNAPSHOT_EVERY === 0) stream.send('snapshot', snapshot());
  });
  stream.onEnd(unsubscribe);
}
