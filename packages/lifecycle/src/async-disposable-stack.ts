/**
 * The error a disposal throws when more than one disposer failed: `error` is the latest failure,
 * `suppressed` the one before it (itself a SuppressedError when there were more). The platform's
 * own class where the runtime has one (Node.js 24 and later), an equivalent otherwise.
 */
export const SuppressedError: SuppressedErrorConstructor =
  (globalThis as { SuppressedError?: SuppressedErrorConstructor }).SuppressedError ??
  (class SuppressedError extends Error {
    readonly error: unknown;
    readonly suppressed: unknown;

    constructor(error: unknown, suppressed: unknown, message?: string) {
      super(message ?? 'an error was suppressed during disposal');
      this.name = 'SuppressedError';
      this.error = error;
      this.suppressed = suppressed;
    }
  } as unknown as SuppressedErrorConstructor);

type Disposer = () => PromiseLike<void> | void;

/**
 * A stack of async disposers with the shape and semantics of ES2025's `AsyncDisposableStack`, so
 * it gives way to the built-in once every supported runtime has one (Node.js 24 has it; 20 does
 * not). Written here rather than taken from the `disposablestack` shim, which brings in the
 * whole es-abstract tree for a hundred lines of behaviour.
 *
 * An owner pushes each part as it builds it; `disposeAsync()` disposes them in reverse order,
 * every one of them even when some throw, then throws what they threw (one error as itself,
 * several as a chain of SuppressedError). A build that fails half-way disposes the stack and so
 * closes exactly what was built; `move()` hands a finished build to a longer-lived owner.
 */
export class AsyncDisposableStack implements AsyncDisposable {
  #disposers: Disposer[] | undefined = [];

  /** True once disposed (or moved). */
  get disposed(): boolean {
    return this.#disposers === undefined;
  }

  /**
   * Pushes a resource's `[Symbol.asyncDispose]` (or else `[Symbol.dispose]`) and returns the
   * resource. `null` and `undefined` are returned as they are and push nothing.
   */
  use<T extends AsyncDisposable | Disposable | null | undefined>(value: T): T {
    const disposers = this.#open();
    if (value === null || value === undefined) return value;
    if (typeof value !== 'object' && typeof value !== 'function') {
      throw new TypeError('AsyncDisposableStack.use: the value is not an object');
    }
    const resource = value as Partial<AsyncDisposable & Disposable>;
    const dispose = resource[Symbol.asyncDispose] ?? resource[Symbol.dispose];
    if (typeof dispose !== 'function') {
      throw new TypeError(
        'AsyncDisposableStack.use: the value has no [Symbol.asyncDispose] or [Symbol.dispose]',
      );
    }
    disposers.push(() => dispose.call(value));
    return value;
  }

  /** Pushes `onDisposeAsync(value)` and returns `value`: for resources closed by a method of their own. */
  adopt<T>(value: T, onDisposeAsync: (value: T) => PromiseLike<void> | void): T {
    const disposers = this.#open();
    if (typeof onDisposeAsync !== 'function') {
      throw new TypeError('AsyncDisposableStack.adopt: onDisposeAsync is not a function');
    }
    disposers.push(() => onDisposeAsync(value));
    return value;
  }

  /** Pushes a callback to run at disposal. */
  defer(onDisposeAsync: () => PromiseLike<void> | void): void {
    const disposers = this.#open();
    if (typeof onDisposeAsync !== 'function') {
      throw new TypeError('AsyncDisposableStack.defer: onDisposeAsync is not a function');
    }
    disposers.push(onDisposeAsync);
  }

  /** A new stack holding everything this one held; this one is left disposed, owning nothing. */
  move(): AsyncDisposableStack {
    const disposers = this.#open();
    this.#disposers = undefined;
    const moved = new AsyncDisposableStack();
    moved.#disposers = disposers;
    return moved;
  }

  /**
   * Disposes everything, last pushed first, awaiting each. Every disposer runs even when earlier
   * ones throw; the errors are thrown at the end. A second call does nothing.
   */
  async disposeAsync(): Promise<void> {
    const disposers = this.#disposers;
    if (disposers === undefined) return;
    this.#disposers = undefined;
    let failed = false;
    let failure: unknown;
    for (let i = disposers.length - 1; i >= 0; i--) {
      try {
        await disposers[i]?.();
      } catch (error) {
        failure = failed ? new SuppressedError(error, failure) : error;
        failed = true;
      }
    }
    if (failed) throw failure;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disposeAsync();
  }

  get [Symbol.toStringTag](): string {
    return 'AsyncDisposableStack';
  }

  #open(): Disposer[] {
    if (this.#disposers === undefined) {
      throw new ReferenceError('AsyncDisposableStack is already disposed');
    }
    return this.#disposers;
  }
}
