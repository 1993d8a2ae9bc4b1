/** The ways a resource can say how it is closed, in the order {@link closeResource} tries them. */
interface Closable {
  [Symbol.asyncDispose]?: () => unknown;
  close?: () => unknown;
  [Symbol.dispose]?: () => unknown;
}

/** What a resource that cannot be closed lacks, for error messages. */
export const NO_CLOSE_METHOD = 'no close(), [Symbol.asyncDispose]() or [Symbol.dispose]()';

/** True when {@link closeResource} knows how to close `value`. */
export function isClosable(value: unknown): boolean {
  return closerOf(value) !== undefined;
}

/**
 * Closes a resource through `[Symbol.asyncDispose]()`, else `close()`, else `[Symbol.dispose]()`.
 * The async disposer comes first because an object that has one declares it the complete
 * shutdown, while `close()` on some clients (a WebSocket) only starts one.
 */
export function closeResource(resource: unknown): unknown {
  const close = closerOf(resource);
  if (close === undefined) throw new TypeError(`the resource has ${NO_CLOSE_METHOD}`);
  return close.call(resource);
}

function closerOf(value: unknown): (() => unknown) | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const closable = value as Closable;
  for (const close of [closable[Symbol.asyncDispose], closable.close, closable[Symbol.dispose]]) {
    if (typeof close === 'function') return close;
  }
  return undefined;
}
