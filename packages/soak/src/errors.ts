/** Stable codes of the runner's errors; callers and tests branch on these, never on messages. */
export const SoakErrorCode = {
  /** A command-line option is missing, malformed or out of range. */
  USAGE: 'ERR_SOAK_USAGE',
  /** A URL that does not point at this machine: the runner targets loopback only. */
  NOT_LOOPBACK: 'ERR_SOAK_NOT_LOOPBACK',
  /** The built gateway (packages/gateway/build/src/main.js) is missing: run `npx tsc -b` first. */
  TARGET_NOT_BUILT: 'ERR_SOAK_TARGET_NOT_BUILT',
  /** The target exited before it listened, or during the run. */
  TARGET_EXITED: 'ERR_SOAK_TARGET_EXITED',
  /** The target did not print its URL in time. */
  TARGET_NO_URL: 'ERR_SOAK_TARGET_NO_URL',
  /** The target exited with a non-zero code or a signal after SIGTERM, or had to be killed. */
  TARGET_UNCLEAN_EXIT: 'ERR_SOAK_TARGET_UNCLEAN_EXIT',
  /** --attach-pid names no running process. */
  PID_NOT_FOUND: 'ERR_SOAK_PID_NOT_FOUND',
  /** The gateway profile could not read the symbol list it subscribes from. */
  PROFILE_SETUP: 'ERR_SOAK_PROFILE_SETUP',
  /** An unexpected failure inside the runner. */
  INTERNAL: 'ERR_SOAK_INTERNAL',
} as const;

export type SoakErrorCode = (typeof SoakErrorCode)[keyof typeof SoakErrorCode];

/** An error of the runner, with a stable code. */
export class SoakError extends Error {
  readonly code: SoakErrorCode;

  constructor(code: SoakErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SoakError';
    this.code = code;
  }
}

/** A bad command line; `option` names the flag at fault when there is one. */
export class UsageError extends SoakError {
  readonly option: string | undefined;

  constructor(message: string, option?: string, options?: ErrorOptions) {
    super(SoakErrorCode.USAGE, message, options);
    this.name = 'UsageError';
    this.option = option;
  }
}
