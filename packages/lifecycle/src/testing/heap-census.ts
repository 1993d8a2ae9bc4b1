import { createReadStream } from 'node:fs';
import { HeapSnapshotParser, type HeapCensus } from './heap-snapshot-parser.js';

export type { HeapCensus, TypeCount } from './heap-snapshot-parser.js';

/** Chunks of 1 MiB: few enough reads for a snapshot of hundreds of MB, small enough to stay cheap. */
const CHUNK_BYTES = 1 << 20;

/** Counts the objects in a `.heapsnapshot` file by type, streaming it (see {@link HeapSnapshotParser}). */
export async function readHeapCensus(path: string): Promise<HeapCensus> {
  const parser = new HeapSnapshotParser();
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  // Leaving the loop early (all names read) destroys the stream.
  for await (const chunk of stream) {
    if (parser.write(chunk as string)) break;
  }
  return parser.result();
}
