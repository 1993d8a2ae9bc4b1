/**
 * Stands in for one of ccxt pro's watch streams (the WebSockets cannot reach an exchange here):
 * every `next()` waits for the test to `push` an update or `fail` the stream, as a pending
 * `watchTicker()` waits for the exchange.
 */
export class FakeWatch<T> {
  calls = 0;
  readonly #waiters: { resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];

  readonly next = (): Promise<T> => {
    this.calls++;
    return new Promise<T>((resolve, reject) => this.#waiters.push({ resolve, reject }));
  };

  /** Calls still waiting for an update. */
  get waiting(): number {
    return this.#waiters.length;
  }

  push(value: T): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(value);
  }

  fail(error: unknown): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
