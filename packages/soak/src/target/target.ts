import type { TargetUrls } from '../loopback.js';

/** How a target process ended. */
export interface TargetExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** True when it did not exit after SIGTERM in time and was killed. */
  readonly killed: boolean;
}

/** The process under soak, as the runner sees it. */
export interface Target extends TargetUrls {
  readonly kind: 'gateway' | 'command' | 'attach';
  readonly pid: number;
  /** Resolves when the process exits; never for an attached process (the sampler watches /proc instead). */
  readonly exited: Promise<TargetExit>;
  /** Stops a process the runner started (SIGTERM, then SIGKILL after a bound); leaves an attached one alone. */
  stop(): Promise<TargetExit | null>;
}
