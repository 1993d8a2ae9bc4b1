/**
 * A set of listeners for one kind of event. A listener that throws is reported to `onError`
 * and never stops the others or the emitter (the emitter is usually a background loop).
 */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener and returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // A wrapper makes the same function added twice two independent subscriptions.
    const wrapper = (value: T) => listener(value);
    this.#listeners.add(wrapper);
    return () => {
      this.#listeners.delete(wrapper);
    };
  }

  emit(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
