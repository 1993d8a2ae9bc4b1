import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { StructureRegistry } from './structure-registry.js';
import type { SchedulingOptions } from './scheduling-options.js';

/** What a factory receives besides the key. */
export interface ResourceFactoryContext {
  /**
   * Aborted when the registry closes (or the key is force-closed) while the factory runs, so a slow
   * connect can give up instead of holding up `close()`. One caller's `signal` never aborts a factory
   * that other callers of the same key share.
   */
  signal: AbortSignal;
}

/** Creates the resource for a key; called once per key however many callers acquire it at the same time. */
export type ResourceFactory<K, R> = (key: K, context: ResourceFactoryContext) => R | Promise<R>;

/**
 * The right to use a resource until `release()`. Every use should hold one and release it in a
 * `finally` (or with `using` / `await using`): a resource is never closed by the idle sweep while
 * a lease on it is held.
 */
export interface Lease<R> extends Disposable, AsyncDisposable {
  readonly resource: R;
  /** Gives the lease back and marks the resource as used now. Idempotent. */
  release(): void;
}

export interface AcquireOptions {
  /**
   * Stops this caller from waiting for a resource still being created (it gets an `ABORTED` error);
   * the factory itself goes on for the other callers and the resource stays in the registry.
   */
  signal?: AbortSignal;
}

export interface CloseKeyOptions {
  /**
   * Close the resource now even though leases on it are held: those leases become inert and
   * callers waiting for its creation get a `CLOSED` error. Meant for a resource known to be broken.
   * @default false
   */
  force?: boolean;
}

/**
 * What {@link ResourceRegistry.closeKey} did: `'closed'` (closed and awaited), `'draining'` (leases
 * are held; it closes on the last release and new acquires get a fresh resource) or `'absent'`.
 */
export type CloseKeyResult = 'closed' | 'draining' | 'absent';

export interface ResourceRegistryOptions<K, R> extends SchedulingOptions {
  /**
   * A resource with no leases whose last acquire or release is at least this old is closed by the
   * sweep. 0 closes every unleased resource at the next sweep.
   * @default 1_800_000 (30 minutes)
   */
  maxIdleMs?: number;
  /**
   * Close a resource this long after its last lease is released, unless it is leased again
   * meanwhile (then the pending close is cancelled). Keeps a resource warm for a user who comes
   * straight back without keeping it for `maxIdleMs`; the sweep stays the backstop. One timer
   * per resource waiting to close, `unref()`ed and cleared when the resource is leased or closed.
   * @default undefined (only the sweep closes idle resources)
   */
  closeDelayMs?: number;
  /**
   * Milliseconds between sweeps (idle closes and `maxLeaseMs` checks). The sweep starts its closes
   * and does not wait for them, so a close that hangs never stalls the sweep.
   * @default 60_000
   */
  sweepIntervalMs?: number;
  /**
   * A lease held longer than this is reported once, at the next sweep, as probably leaked: a warning
   * with the key and the stack that acquired it, a count in stats and a row in `suspectedLeaks()`.
   * Leave it unset where leases legitimately last for hours (one per live subscription).
   * @default undefined (no reporting)
   */
  maxLeaseMs?: number;
  /**
   * Record where each lease is acquired, for `maxLeaseMs` reports. V8 formats the stack only when
   * a lease is reported, but capturing still costs a few microseconds per acquire.
   * Ignored without `maxLeaseMs`.
   * @default true
   */
  captureStacks?: boolean;
  /**
   * The most resources held at once (being created or ready; draining and closing ones are on their
   * way out and do not count). A new key at the cap closes the least recently used resource that has
   * no leases; when every one is leased the acquire fails with `LIMIT_REACHED`.
   * @default 10_000
   */
  maxResources?: number;
  /**
   * Closes a resource; may return a promise, which is awaited. Errors are logged with the key and
   * counted, and the resource is removed all the same.
   * @default `resource[Symbol.asyncDispose]()`, else `resource.close()`, else `resource[Symbol.dispose]()`
   *   (a factory result with none of them fails with `FACTORY_FAILED`)
   */
  close?: (resource: R, key: K) => unknown;
  /**
   * Turns a key into the string the registry indexes by; two keys with the same string share one
   * resource. The default keeps strings as they are and `JSON.stringify`s anything else, which suits
   * tuples such as `['binance', false, 'spot']`; pass a function for objects whose property order varies.
   * @default key => typeof key === 'string' ? key : JSON.stringify(key)
   */
  keyOf?: (key: K) => string;
  /** Names the registry in logs, stats and the structure registry. @default 'resources' */
  name?: string;
  /** When given, the registry registers itself at construction and unregisters on close. */
  structures?: StructureRegistry;
  /** @default stderrLogger */
  logger?: Logger;
  /** Time source for idle and lease ages, in milliseconds. @default Date.now */
  now?: Clock;
}

/** Where an entry is in its life: the first two are acquirable, the last two are on their way out. */
export type ResourceState = 'creating' | 'ready' | 'draining' | 'closing';

/** One row of {@link ResourceRegistry.entries}, for stats pages. */
export interface ResourceEntryInfo<K> {
  key: K;
  /** The key as `keyOf` indexes it. */
  id: string;
  state: ResourceState;
  leases: number;
  createdAt: number;
  lastUsedAt: number;
}

/** A lease held longer than `maxLeaseMs`, as {@link ResourceRegistry.suspectedLeaks} lists it. */
export interface SuspectedLeak<K> {
  key: K;
  id: string;
  acquiredAt: number;
  heldMs: number;
  /** The frames that acquired the lease; empty when stacks are not captured. */
  stack: string;
}

export interface ResourceRegistryStats {
  name: string;
  /** Resources being created or ready (the registry's `size`). */
  resources: number;
  /** Factories still running. */
  creating: number;
  /** Leases held now, on ready and draining resources. */
  leases: number;
  /** Resources closed by key that wait for their last lease. */
  draining: number;
  /** Closes in progress. */
  closing: number;
  maxResources: number;
  /** Resources a factory created successfully. */
  created: number;
  /** Closes finished, successfully or not. */
  closed: number;
  closeErrors: number;
  factoryErrors: number;
  /** Idle resources closed to make room for a new key at `maxResources`. */
  evictions: number;
  /** Leases reported as held longer than `maxLeaseMs`. */
  suspectedLeaks: number;
  /** Resources released by their last user and waiting out `closeDelayMs`. */
  closesScheduled: number;
}
