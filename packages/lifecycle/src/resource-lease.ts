import type { Lease } from './resource-registry-options.js';

/**
 * The lease {@link ResourceRegistry.acquire} hands out. It keeps the release callback only until
 * the first release, so a lease object that outlives its use holds no reference into the registry.
 */
export class ResourceLease<R> implements Lease<R> {
  readonly resource: R;
  #release: (() => void) | undefined;

  constructor(resource: R, release: () => void) {
    this.resource = resource;
    this.#release = release;
  }

  release(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  [Symbol.dispose](): void {
    this.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}
