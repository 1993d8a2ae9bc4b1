/**
 * Every error the toolkit throws carries a stable `code`; callers test `code` or
 * `instanceof`, never the message text.
 */
export const LifecycleErrorCode = {
  /** An option passed to a constructor is missing, of the wrong type, or unbounded. */
  INVALID_OPTION: 'ERR_LIFECYCLE_INVALID_OPTION',
  /** The object was closed; it accepts no new work. */
  CLOSED: 'ERR_LIFECYCLE_CLOSED',
  /** Waiting for something (a lock, a queue slot) took longer than the timeout. */
  TIMEOUT: 'ERR_LIFECYCLE_TIMEOUT',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ERR_LIFECYCLE_ABORTED',
  /** A bounded queue is full. */
  QUEUE_FULL: 'ERR_LIFECYCLE_QUEUE_FULL',
  /** Garbage collection cannot be forced in this process. */
  GC_UNAVAILABLE: 'ERR_LIFECYCLE_GC_UNAVAILABLE',
  /** A heap snapshot could not be written; `cause` holds the file system or stream error. */
  SNAPSHOT_FAILED: 'ERR_LIFECYCLE_SNAPSHOT_FAILED',
  /** A resource factory failed or returned something that cannot be closed. */
  FACTORY_FAILED: 'ERR_LIFECYCLE_FACTORY_FAILED',
  /** A name that must be unique (a structure, a cleanup callback) is already registered. */
  DUPLICATE_NAME: 'ERR_LIFECYCLE_DUPLICATE_NAME',
  /** A registry reached its configured cap on entries. */
  LIMIT_REACHED: 'ERR_LIFECYCLE_LIMIT_REACHED',
  /** A part failed to close (`CloseStepError`: `step` names it, `cause` is what it threw). */
  CLOSE_FAILED: 'ERR_LIFECYCLE_CLOSE_FAILED',
  /** A leak test saw the heap grow faster than its limit. */
  LEAK_DETECTED: 'ERR_LIFECYCLE_LEAK_DETECTED',
} as const;

export type LifecycleErrorCode = (typeof LifecycleErrorCode)[keyof typeof LifecycleErrorCode];

/** Base class of the toolkit's runtime errors. */
export class LifecycleError extends Error {
  readonly code: LifecycleErrorCode;

  constructor(code: LifecycleErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LifecycleError';
    this.code = code;
  }
}

/**
 * Thrown at construction when an option is invalid or unbounded. A `TypeError`, so that
 * it reads like the platform's own argument errors; `option` names the offending field.
 */
export class InvalidOptionError extends TypeError {
  readonly code = LifecycleErrorCode.INVALID_OPTION;
  readonly option: string;

  constructor(owner: string, option: string, expectation: string, received: unknown) {
    super(`${owner}: option "${option}" must be ${expectation}; received ${describe(received)}`);
    this.name = 'InvalidOptionError';
    this.option = option;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'symbol') return value.toString();
  return `${value as number | boolean | bigint | undefined}`;
}

/** The error a closed object throws when asked for new work. */
export function closedError(owner: string): LifecycleError {
  return new LifecycleError(LifecycleErrorCode.CLOSED, `${owner} is closed`);
}
