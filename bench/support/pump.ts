/**
 * Drives a tick source, the same way for the gateway's feed and for the raw `ws` baseline, so the
 * two differ only in what happens to a tick after it is produced.
 *
 * - `max`: `batch` ticks per turn of the event loop (a setImmediate loop), whenever `ready()`
 *   says the consumer has taken the previous ones: as fast as the consumer allows, with socket
 *   I/O running between turns.
 * - `rate`: `perSecond` ticks a second, from a 1 ms timer that emits the ticks due since its last
 *   run, so a late timer is followed by a catch-up rather than a lower rate.
 */
export type PumpMode =
  { kind: 'max'; batch: number; ready: () => boolean } | { kind: 'rate'; perSecond: number };

export class Pump {
  readonly #emit: (count: number) => void;
  #stop: (() => void) | undefined;
  #mode: PumpMode | undefined;
  /** Ticks emitted since the last start. */
  emitted = 0;

  /** `emit(count)` produces `count` ticks. */
  constructor(emit: (count: number) => void) {
    this.#emit = emit;
  }

  /** How the pump runs now; undefined while stopped. */
  get mode(): PumpMode | undefined {
    return this.#mode;
  }

  start(mode: PumpMode): void {
    this.stop();
    this.emitted = 0;
    this.#mode = mode;
    this.#stop =
      mode.kind === 'max' ? this.#startMax(mode.batch, mode.ready) : this.#startRate(mode.perSecond);
  }

  stop(): void {
    this.#stop?.();
    this.#stop = this.#mode = undefined;
  }

  #startMax(batch: number, ready: () => boolean): () => void {
    let immediate: NodeJS.Immediate;
    const turn = () => {
      if (ready()) {
        this.#emit(batch);
        this.emitted += batch;
      }
      immediate = setImmediate(turn).unref();
    };
    immediate = setImmediate(turn).unref();
    return () => clearImmediate(immediate);
  }

  #startRate(perSecond: number): () => void {
    const started = performance.now();
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - started) * perSecond) / 1000) - this.emitted;
      if (due <= 0) return;
      this.#emit(due);
      this.emitted += due;
    }, 1);
    timer.unref();
    return () => clearInterval(timer);
  }
}
