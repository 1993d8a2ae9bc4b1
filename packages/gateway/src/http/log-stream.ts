import type { ScanService } from '../scans/scan-service.js';
import type { EventStream } from './event-stream.js';
import { isFinished } from './task-presenter.js';

/**
 * Streams a task's session log as Server-Sent Events: `log` events with the content from the
 * client's offset, then new lines as they are appended (the log store says when: no polling),
 * then one `end` event once the task has finished and everything was sent. A slow reader is not
 * read for again until its socket drains, so a stream buffers at most one chunk (64 KiB).
 */
export function streamLog(stream: EventStream, scans: ScanService, id: string, offset: number): void {
  let position = offset;
  let reading = false;
  let changed = false;

  /** Sends what is there to send; true once the stream is over. */
  const sendAvailable = async (): Promise<boolean> => {
    for (;;) {
      // Looked up before the read: whatever was appended before the end is then in this read.
      const lookup = scans.lookup(id);
      const over = lookup.state !== 'found' || (isFinished(lookup.task) && scans.logComplete(id));
      const chunk = await scans.readLog(id, position);
      if (stream.ended) return true;
      if (chunk && chunk.content.length > 0) {
        stream.send('log', { offset: position, next_offset: chunk.nextOffset, content: chunk.content });
        position = chunk.nextOffset;
      }
      const caughtUp = chunk === null || position >= chunk.size;
      if (over && (lookup.state !== 'found' || caughtUp)) {
        stream.send('end', { status: lookup.state === 'found' ? lookup.task.status : lookup.state });
        stream.end();
        return true;
      }
      if (stream.backedUp) {
        stream.whenDrained(() => void pull());
        return false;
      }
      if (caughtUp) return false;
    }
  };

  /** Reads once at a time; a change during a read makes it read again after. */
  const pull = async (): Promise<void> => {
    if (reading) {
      changed = true;
      return;
    }
    reading = true;
    try {
      do {
        changed = false;
        if (await sendAvailable()) return;
      } while (changed && !stream.backedUp);
    } catch {
      stream.end(); // not expected (reads report their own failures); the client may reconnect
    } finally {
      reading = false;
    }
  };

  // Followed before the first read, so no append falls between the read and the follow.
  stream.onEnd(scans.followLog(id, () => void pull()));
  void pull();
}
