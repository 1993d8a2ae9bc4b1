/**
 * What a benchmark must undo (servers, child processes, temp dirs), undone last-first. Every
 * step runs even when an earlier one throws; the first error is rethrown at the end.
 */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
