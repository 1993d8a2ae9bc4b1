import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

export interface HeapSnapshotWriterOptions {
  /** Where snapshots are written; created (with its parents) at the first write. Required. */
  directory: string;
  /**
   * The most snapshot files of this prefix kept in the directory, counting those left by earlier
   * runs of the process; after each write the oldest beyond this go. 1 to 100. Each file is
   * about the size of the heap, so this bounds the disk the writer can take.
   * @default 3
   */
  maxFiles?: number;
  /**
   * Starts every file name (`<prefix>-<timestamp>-<pid>.heapsnapshot`); only files of this prefix
   * are ever rotated. Letters, digits, `.`, `_` and `-`, so it can never name another directory.
   * @default 'heap'
   */
  prefix?: string;
  /** Names files by the time of the write, in milliseconds since the epoch. @default Date.now */
  now?: Clock;
  /** Where rotation and clean-up failures are reported. @default stderrLogger */
  logger?: Logger;
}

export interface HeapSnapshotWriterStats {
  directory: string;
  prefix: string;
  maxFiles: number;
  /** Snapshots written completely. */
  written: number;
  /** Writes that failed or were aborted by close(); each removed what it had written. */
  failures: number;
  /** Old snapshots or partial files that could not be removed (logged). */
  removalFailures: number;
  /** Snapshot files of this prefix in the directory after the last write; 0 before the first. */
  files: number;
  /** Writes in progress or waiting for their turn. */
  pending: number;
  lastPath: string | null;
  /** Duration of the last complete write, snapshot and streaming to disk included. */
  lastDurationMs: number | null;
}
