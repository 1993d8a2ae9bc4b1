import type { TimerHandle } from '../clock.js';
import type {
  ResourceEntryInfo,
  ResourceFactoryContext,
  ResourceState,
} from '../resource-registry-options.js';
import type { CallSite } from './call-site.js';

/** One lease handed out by the registry, as the entry keeps it. */
export interface LeaseRecord {
  readonly acquiredAt: number;
  readonly site: CallSite | undefined;
  /** Reported as held longer than maxLeaseMs; a lease is reported once. */
  reported: boolean;
}

/**
 * The registry's bookkeeping for one resource: its state, its leases, and the promise every
 * caller that arrives while the factory runs waits on.
 */
export class ResourceEntry<K, R> {
  readonly id: string;
  readonly key: K;
  readonly createdAt: number;
  lastUsedAt: number;
  state: ResourceState = 'creating';
  /** Set when the factory succeeds. */
  resource: R | undefined;
  /** Settles with the factory; every waiter receives the same resource or the same error. */
  readonly ready: Promise<R>;
  readonly leases = new Set<LeaseRecord>();
  /** Callers awaiting the factory: each will take a lease, so a draining entry waits for them too. */
  waiters = 0;
  /** The close, once started; later close requests get the same promise. */
  closed: Promise<void> | undefined;
  /** Pending `closeDelayMs` close after the last release; cleared by a new lease or a close. */
  delayedClose: TimerHandle | undefined;
  /** What the factory receives; its signal is created only if the factory reads it. */
  readonly factoryContext: ResourceFactoryContext;
  #resolve!: (resource: R) => void;
  #reject!: (error: Error) => void;
  /** Created only when the factory reads its signal: an AbortController costs more than an acquire. */
  #controller: AbortController | undefined;
  #abortReason: Error | undefined;

  constructor(id: string, key: K, now: number) {
    this.id = id;
    this.key = key;
    this.createdAt = now;
    this.lastUsedAt = now;
    this.ready = new Promise<R>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Every waiter may have given up (aborted) before a factory fails; the error must not go unhandled.
    this.ready.catch(noop);
    const signal = () => this.#factorySignal();
    this.factoryContext = {
      get signal() {
        return signal();
      },
    };
  }

  /** Ready, unleased and with nobody waiting: the only state in which idling may close it. */
  get idle(): boolean {
    return this.state === 'ready' && this.leases.size === 0 && this.waiters === 0;
  }

  /** Draining and nothing holds it any more: time to close. */
  get drained(): boolean {
    return (
      this.state === 'draining' && this.resource !== undefined && this.leases.size === 0 && this.waiters === 0
    );
  }

  /** Aborted if the entry is closed before the factory finishes. */
  #factorySignal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  abortFactory(reason: Error): void {
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  created(resource: R): void {
    this.resource = resource;
    if (this.state === 'creating') this.state = 'ready';
    this.#resolve(resource);
  }

  failed(error: Error): void {
    this.#reject(error);
  }

  info(): ResourceEntryInfo<K> {
    const { key, id, state, createdAt, lastUsedAt } = this;
    return { key, id, state, leases: this.leases.size, createdAt, lastUsedAt };
  }
}

function noop(): void {}
