/**
 * The runner's exit codes, so scripts and CI can tell a failed verdict from a broken run.
 * INCONCLUSIVE is non-zero on purpose: a run too short to judge must not pass a pipeline.
 */
export const ExitCode = {
  /** The RSS slope after the warm-up is within --max-slope. */
  PASS: 0,
  /** The RSS slope after the warm-up is above --max-slope. */
  FAIL: 1,
  /** The command line is invalid; nothing was started. */
  USAGE: 2,
  /** The run could not be carried out: the target died, never listened, or did not shut down cleanly. */
  RUN_ERROR: 3,
  /** Too few samples after the warm-up to fit a trend. */
  INCONCLUSIVE: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
