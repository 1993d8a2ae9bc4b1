/**
 * Runs a close routine at most once and hands every caller the same promise, so `close()` is
 * idempotent and a second caller waits for the first close to finish (bullmq keeps the closing
 * promise the same way).
 */
export class CloseOnce {
  #promise: Promise<void> | undefined;

  /** True from the first `run()` on: the owner accepts no new work while closing. */
  get closing(): boolean {
    return this.#promise !== undefined;
  }

  run(close: () => Promise<void> | void): Promise<void> {
    this.#promise ??= Promise.resolve().then(close);
    return this.#promise;
  }
}
