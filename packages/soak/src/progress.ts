import { formatDuration } from './duration.js';

/** What the progress line shows. */
export interface ProgressState {
  elapsedSeconds: number;
  durationSeconds: number;
  clients: number;
  targetClients: number | null;
  rssMb: number | null;
  heapUsedMb: number | null;
  /** Null while warming up or with too few samples. */
  slopeMbPerHour: number | null;
  warmingUp: boolean;
}

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Without a terminal, one line this often: a CI log must not get a line a second. */
const PLAIN_EVERY_MS = 10_000;

/** One line: `soak 1m20s/30m00s  clients 50 (target 50)  rss 142.3 MB  heap 38.1 MB  slope +3.2 MB/h`. */
export function formatProgress(s: ProgressState): string {
  const mb = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} MB`);
  const slope = s.warmingUp
    ? 'warming up'
    : s.slopeMbPerHour === null
      ? 'n/a'
      : `${s.slopeMbPerHour >= 0 ? '+' : ''}${s.slopeMbPerHour.toFixed(1)} MB/h`;
  const target = s.targetClients === null ? '' : ` (target ${s.targetClients})`;
  return `soak ${formatDuration(s.elapsedSeconds)}/${formatDuration(s.durationSeconds)}  clients ${s.clients}${target}  rss ${mb(s.rssMb)}  heap ${mb(s.heapUsedMb)}  slope ${slope}`;
}

/**
 * The progress line on stderr: rewritten in place on a terminal, one line every 10 s otherwise.
 * `due()` says whether the next update will be shown, so the caller can skip computing it.
 */
export class ProgressLine {
  readonly #out: ProgressOutput;
  #lastPlainAt = -Infinity;
  #shown = false;

  constructor(out: ProgressOutput) {
    this.#out = out;
  }

  due(now = performance.now()): boolean {
    return this.#out.isTTY === true || now - this.#lastPlainAt >= PLAIN_EVERY_MS;
  }

  update(state: ProgressState, now = performance.now()): void {
    if (!this.due(now)) return;
    const line = formatProgress(state);
    if (this.#out.isTTY === true) {
      this.#out.write(`\r${line}\x1b[K`);
    } else {
      this.#lastPlainAt = now;
      this.#out.write(`${line}\n`);
    }
    this.#shown = true;
  }

  /** Ends the rewritten line, so what follows starts on its own line. */
  finish(): void {
    if (this.#shown && this.#out.isTTY === true) this.#out.write('\n');
    this.#shown = false;
  }
}
