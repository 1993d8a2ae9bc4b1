import type { TargetUrls } from '../loopback.js';
import type { Target, TargetExit } from './target.js';

/**
 * A process the runner did not start: it is sampled and loaded, never signalled. Whether it is
 * still alive is seen through /proc by the sampler.
 */
export class AttachedTarget implements Target {
  readonly kind = 'attach' as const;
  readonly pid: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Never resolves: an attached process's exit code is not the runner's to collect. */
  readonly exited = new Promise<TargetExit>(() => {});

  constructor(pid: number, urls: TargetUrls) {
    this.pid = pid;
    this.httpUrl = urls.httpUrl;
    this.wsUrl = urls.wsUrl;
  }

  stop(): Promise<null> {
    return Promise.resolve(null);
  }
}
