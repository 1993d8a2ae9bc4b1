/** A line longer than this is dropped rather than buffered: the scanner's memory stays bounded. */
const MAX_LINE = 64 * 1024;

/**
 * Splits a stream's chunks into lines and hands each to `onLine`, keeping at most one partial
 * line (cut at MAX_LINE) between chunks.
 */
export class LineScanner {
  readonly #onLine: (line: string) => void;
  #partial = '';
  #overflow = false;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Buffer | string): void {
    let text = this.#partial + chunk.toString();
    let newline: number;
    while ((newline = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, newline);
      text = text.slice(newline + 1);
      if (!this.#overflow) this.#onLine(line);
      this.#overflow = false;
    }
    if (text.length > MAX_LINE) {
      this.#overflow = true;
      text = '';
    }
    this.#partial = text;
  }
}

/** The URL in a `{"msg":"gateway listening","url":...}` log line, or undefined for any other line. */
export function listeningUrl(line: string): string | undefined {
  if (!line.includes('gateway listening')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return entry.msg === 'gateway listening' && typeof entry.url === 'string' ? entry.url : undefined;
  } catch {
    return undefined;
  }
}
