import { systemClock, type Clock } from './clock.js';
import { closedError } from './errors.js';
import { captureCallSite, formatCallSite } from './internal/call-site.js';
import { CloseOnce } from './internal/close-once.js';
import { increment } from './internal/counter.js';
import { toError } from './internal/errors.js';
import { OptionReader } from './internal/options.js';
import type { LeakReport, LeakTrackerOptions, LeakTrackerStats } from './leak-tracker-options.js';
import { stderrLogger, type Logger } from './logger.js';
import { registerStructure, type MeasuredStructure, type StructureRegistry } from './structure-registry.js';

export type { LeakReport, LeakTrackerOptions, LeakTrackerStats };

const MAX_TRACKED = 10_000_000;
const MAX_RECENT_LEAKS = 1000;
/** Distinct stacks shared between records; past this many, a new stack is kept by its record alone. */
const MAX_SHARED_STACKS = 1000;

/** What the tracker keeps per resource. It must never reference the resource, or it would never be collected. */
interface TrackRecord {
  readonly label: string;
  readonly stack: string;
  readonly trackedAt: number;
}

/**
 * Reports resources (connections, adapters, sockets) that were garbage-collected without being
 * closed, with their label and the stack that tracked them. Built on a FinalizationRegistry: the
 * tracker holds resources only weakly, and a report arrives some time after the collection, never
 * at a predictable moment, so it is a diagnostic, not a cleanup mechanism.
 *
 * Owners call {@link LeakTracker.track} when they create a resource and {@link LeakTracker.markClosed}
 * (or the function `track` returns) when they close it; {@link LeakTracker.trackClose} does both by
 * instrumenting the resource's close method.
 */
export class LeakTracker implements MeasuredStructure {
  readonly name: string;
  /** `maxTracked`. */
  readonly capacity: number;
  readonly #captureStacks: boolean;
  readonly #maxRecentLeaks: number;
  readonly #onLeak: ((leak: LeakReport) => void) | undefined;
  readonly #logger: Logger;
  readonly #now: Clock;
  readonly #owner: string;
  readonly #records = new Map<number, TrackRecord>();
  /** Resource to record id, held weakly, for markClosed(resource). */
  readonly #ids = new WeakMap<object, number>();
  /** Holds the id as the held value and the record as the unregister token: neither references the resource. */
  readonly #finalization = new FinalizationRegistry<number>((id) => this.#collected(id));
  /**
   * Each distinct stack once, so the records of resources tracked from the same place (every
   * connection a server accepts) share one string instead of holding a copy each.
   */
  readonly #stacks = new Map<string, string>();
  readonly #recentLeaks: LeakReport[] = [];
  readonly #unregister: () => void;
  readonly #closing = new CloseOnce();
  #nextId = 0;
  #tracked = 0;
  #closed = 0;
  #leaked = 0;
  #overflows = 0;
  #onLeakErrors = 0;

  constructor(options?: LeakTrackerOptions) {
    const read = new OptionReader('LeakTracker', options);
    this.#captureStacks = read.boolean('captureStacks', true);
    this.capacity = read.integer('maxTracked', { min: 1, max: MAX_TRACKED }, 100_000);
    this.#maxRecentLeaks = read.integer('maxRecentLeaks', { min: 0, max: MAX_RECENT_LEAKS }, 50);
    this.#onLeak = read.optionalFunction('onLeak');
    this.name = read.string('name', 'leaks');
    this.#logger = read.object('logger', ['warn', 'error'], stderrLogger);
    this.#now = read.function('now', systemClock);
    const structures = read.optionalObject<StructureRegistry>('structures', ['register']);
    this.#owner = `LeakTracker "${this.name}"`;
    this.#unregister = registerStructure(structures, this);
  }

  /** Resources tracked now, neither closed nor collected. */
  get size(): number {
    return this.#records.size;
  }

  /**
   * Watches `resource` until it is closed; returns the function to call when it is (the same as
   * `markClosed(resource)`, for owners that do not keep the resource at hand). Tracking an object
   * that is already tracked keeps its first label and stack. Throws `CLOSED` after `close()`.
   */
  track(resource: object, label: string): () => boolean {
    return this.#track(resource, label, this.#callerStack());
  }

  /**
   * Tracks `resource` and replaces its `method` (an own property shadowing the prototype's) with
   * one that marks it closed and then calls the original, so every way of closing it counts,
   * `await using` included when the disposer calls that method. Returns the resource.
   */
  trackClose<T extends object>(resource: T, label: string, method: PropertyKey = 'close'): T {
    const original: unknown = (resource as Record<PropertyKey, unknown>)[method];
    if (typeof original !== 'function') {
      throw new TypeError(`${this.#owner}.trackClose: the resource's ${String(method)} is not a function`);
    }
    const close = original as (this: unknown, ...args: unknown[]) => unknown;
    this.#track(resource, label, this.#callerStack());
    const markClosed = (target: unknown): boolean => this.markClosed(target);
    Object.defineProperty(resource, method, {
      configurable: true,
      writable: true,
      value: function closeAndMark(this: unknown, ...args: unknown[]): unknown {
        markClosed(this);
        return close.apply(this, args);
      },
    });
    return resource;
  }

  /** Records that `resource` was closed properly. False when it was not tracked (or already closed). */
  markClosed(resource: unknown): boolean {
    if (!isTrackable(resource)) return false;
    const id = this.#ids.get(resource);
    if (id === undefined) return false;
    this.#ids.delete(resource);
    return this.#settle(id);
  }

  /** The latest leaks, oldest first, at most `maxRecentLeaks`. */
  recentLeaks(): LeakReport[] {
    return this.#recentLeaks.map((leak) => ({ ...leak }));
  }

  stats(): LeakTrackerStats {
    return {
      name: this.name,
      tracking: this.#records.size,
      maxTracked: this.capacity,
      tracked: this.#tracked,
      closed: this.#closed,
      leaked: this.#leaked,
      overflows: this.#overflows,
      onLeakErrors: this.#onLeakErrors,
    };
  }

  /** Stops watching everything (no report arrives afterwards) and unregisters. Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(() => {
      this.#unregister();
      for (const record of this.#records.values()) this.#finalization.unregister(record);
      this.#records.clear();
      this.#stacks.clear();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The frames of whoever called the public method that calls this. Formatted at once: an
   * unformatted trace holds its frames' receivers, which may be the resource itself.
   */
  #callerStack(): string {
    if (!this.#captureStacks) return '';
    const stack = formatCallSite(captureCallSite(), 2);
    const shared = this.#stacks.get(stack);
    if (shared !== undefined) return shared;
    if (this.#stacks.size < MAX_SHARED_STACKS) this.#stacks.set(stack, stack);
    return stack;
  }

  #track(resource: object, label: string, stack: string): () => boolean {
    if (this.#closing.closing) throw closedError(this.#owner);
    if (!isTrackable(resource)) {
      throw new TypeError(`${this.#owner}: only objects and functions can be tracked`);
    }
    if (typeof label !== 'string') throw new TypeError(`${this.#owner}: the label must be a string`);
    const existing = this.#ids.get(resource);
    if (existing !== undefined && this.#records.has(existing)) return () => this.#settle(existing);
    if (this.#records.size >= this.capacity) return this.#overflow();

    const id = ++this.#nextId;
    const record: TrackRecord = { label, stack, trackedAt: this.#now() };
    this.#records.set(id, record);
    this.#ids.set(resource, id);
    this.#finalization.register(resource, id, record);
    this.#tracked = increment(this.#tracked);
    return () => this.#settle(id);
  }

  #settle(id: number): boolean {
    const record = this.#records.get(id);
    if (record === undefined) return false;
    this.#records.delete(id);
    this.#finalization.unregister(record);
    this.#closed = increment(this.#closed);
    return true;
  }

  #overflow(): () => boolean {
    this.#overflows = increment(this.#overflows);
    if (this.#overflows === 1) {
      this.#logger.warn(
        { tracker: this.name, maxTracked: this.capacity },
        'leak tracker full; resources tracked from now on are not watched until others close',
      );
    }
    return () => false;
  }

  #collected(id: number): void {
    // Closing unregisters a record, so a callback only comes for one still tracked.
    const record = this.#records.get(id);
    if (record === undefined) return;
    this.#records.delete(id);
    this.#leaked = increment(this.#leaked);
    const leak: LeakReport = { ...record, detectedAt: this.#now() };
    if (this.#maxRecentLeaks > 0) {
      this.#recentLeaks.push(leak);
      if (this.#recentLeaks.length > this.#maxRecentLeaks) this.#recentLeaks.shift();
    }
    this.#logger.warn(
      { tracker: this.name, label: record.label, trackedAt: record.trackedAt, createdAt: record.stack },
      'resource garbage-collected without close()',
    );
    this.#notify(leak);
  }

  #notify(leak: LeakReport): void {
    if (!this.#onLeak) return;
    try {
      this.#onLeak({ ...leak });
    } catch (thrown) {
      this.#onLeakErrors = increment(this.#onLeakErrors);
      this.#logger.error(
        { tracker: this.name, label: leak.label, err: toError(thrown) },
        'onLeak callback failed',
      );
    }
  }
}

function isTrackable(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}
