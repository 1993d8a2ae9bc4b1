/** The default clock, shared: a default-parameter arrow would be a new closure per connection. */
const monotonicNow = () => performance.now();

/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most `burst`. Two numbers of state,
 * so every connection can have one.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, burst = ratePerSecond, now: () => number = monotonicNow) {
    this.#rate = ratePerSecond / 1000;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes a token if one is available. */
  tryTake(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
