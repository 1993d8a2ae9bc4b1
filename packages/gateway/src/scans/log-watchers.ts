/**
 * Listeners per session log: told that the log of one session changed (lines appended, the scan
 * done writing). Held only while someone follows a log, so bounded by the open log streams; a
 * listener that throws is isolated from the others.
 */
export class LogWatchers {
  readonly #byId = new Map<string, Set<() => void>>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Sessions someone is watching. */
  get size(): number {
    return this.#byId.size;
  }

  /** Calls `listener` whenever the log of `id` changes; returns the function that stops it. */
  watch(id: string, listener: () => void): () => void {
    let listeners = this.#byId.get(id);
    if (!listeners) this.#byId.set(id, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#byId.get(id) === listeners) this.#byId.delete(id);
    };
  }

  notify(id: string): void {
    const listeners = this.#byId.get(id);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
