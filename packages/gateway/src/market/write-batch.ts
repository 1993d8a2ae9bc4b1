/** A subscriber whose socket is corked for a batch: `release()` uncorks it. */
export interface HeldWriter {
  release(): void;
}

/**
 * The sockets written to during one fan-out turn. A subscriber corks its socket on its first
 * write of the turn and joins the batch; `end()` uncorks them all, so each client's frames of the
 * turn leave in one `writev` instead of one system call per frame. Nothing else runs while a
 * turn is corked (it is one synchronous stretch), so pings, close frames and replies, written in
 * other turns of the event loop, keep their order with the ticks.
 */
export class WriteBatch {
  readonly #held: HeldWriter[] = [];

  hold(writer: HeldWriter): void {
    this.#held.push(writer);
  }

  /** Uncorks every held socket. The array is kept, so a turn allocates nothing here. */
  end(): void {
    const held = this.#held;
    for (let i = 0; i < held.length; i++) held[i]?.release();
    held.length = 0;
  }
}
