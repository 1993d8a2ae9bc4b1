import { LifecycleError, LifecycleErrorCode } from '../errors.js';
import { increment } from '../internal/counter.js';
import { toError } from '../internal/errors.js';
import { raceAbort } from '../internal/race-abort.js';
import type { Logger } from '../logger.js';
import type {
  CleanupCallbackOptions,
  CleanupCallbackResult,
  CleanupCallbackStats,
  CleanupContext,
  CleanupOutcome,
} from './cleanup-callback.js';
import { levelRank, type MemoryLevel } from './memory-level.js';

interface Registered extends CleanupCallbackStats {
  order: number;
  run: CleanupCallbackOptions['run'];
}

/**
 * The monitor's named cleanup callbacks: registered and removed at any time, run in priority
 * order, each isolated (a throw or a timeout is recorded and the rest still run) and timed.
 */
export class CleanupRunner {
  readonly #callbacks = new Map<string, Registered>();
  readonly #maxCallbacks: number;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  #order = 0;

  constructor(options: { maxCallbacks: number; timeoutMs: number; logger: Logger }) {
    this.#maxCallbacks = options.maxCallbacks;
    this.#timeoutMs = options.timeoutMs;
    this.#logger = options.logger;
  }

  get size(): number {
    return this.#callbacks.size;
  }

  register(options: CleanupCallbackOptions): () => void {
    const { name, priority = 100, minLevel = 'HIGH', run } = options;
    if (typeof name !== 'string' || name.length === 0)
      throw new TypeError('cleanup callback: "name" must be a non-empty string');
    if (typeof run !== 'function')
      throw new TypeError(`cleanup callback "${name}": "run" must be a function`);
    if (!Number.isFinite(priority))
      throw new TypeError(`cleanup callback "${name}": "priority" must be a finite number`);
    if (!['WARNING', 'HIGH', 'CRITICAL'].includes(minLevel)) {
      throw new TypeError(`cleanup callback "${name}": "minLevel" must be WARNING, HIGH or CRITICAL`);
    }
    if (this.#callbacks.has(name)) {
      throw new LifecycleError(
        LifecycleErrorCode.DUPLICATE_NAME,
        `a cleanup callback named "${name}" is already registered`,
      );
    }
    if (this.#callbacks.size >= this.#maxCallbacks) {
      throw new LifecycleError(
        LifecycleErrorCode.LIMIT_REACHED,
        `maxCallbacks (${this.#maxCallbacks}) reached`,
      );
    }
    const entry: Registered = {
      name,
      priority,
      minLevel,
      run,
      order: this.#order++,
      runs: 0,
      errors: 0,
      freedTotal: 0,
      lastDurationMs: null,
    };
    this.#callbacks.set(name, entry);
    return () => {
      if (this.#callbacks.get(name) === entry) this.#callbacks.delete(name);
    };
  }

  /** True when some callback would run at `level`. */
  hasCallbacksFor(level: MemoryLevel): boolean {
    for (const c of this.#callbacks.values()) if (levelRank(c.minLevel) <= levelRank(level)) return true;
    return false;
  }

  /** Runs the callbacks due at the context's level (all of them for a manual cleanup), in order. */
  async runAll(
    context: Omit<CleanupContext, 'signal'>,
    closing: AbortSignal,
  ): Promise<CleanupCallbackResult[]> {
    const due = [...this.#callbacks.values()]
      .filter((c) => context.trigger === 'manual' || levelRank(c.minLevel) <= levelRank(context.level))
      .sort((a, b) => a.priority - b.priority || a.order - b.order);
    const results: CleanupCallbackResult[] = [];
    for (const callback of due) {
      if (closing.aborted) break;
      results.push(await this.#runOne(callback, context, closing));
    }
    return results;
  }

  stats(): CleanupCallbackStats[] {
    return [...this.#callbacks.values()]
      .sort((a, b) => a.priority - b.priority || a.order - b.order)
      .map(({ name, priority, minLevel, runs, errors, freedTotal, lastDurationMs }) => ({
        name,
        priority,
        minLevel,
        runs,
        errors,
        freedTotal,
        lastDurationMs,
      }));
  }

  clear(): void {
    this.#callbacks.clear();
  }

  async #runOne(
    callback: Registered,
    context: Omit<CleanupContext, 'signal'>,
    closing: AbortSignal,
  ): Promise<CleanupCallbackResult> {
    const controller = new AbortController();
    const onClosing = () => controller.abort(closing.reason);
    closing.addEventListener('abort', onClosing, { once: true });
    const budget = setTimeout(
      () =>
        controller.abort(
          new LifecycleError(LifecycleErrorCode.TIMEOUT, 'cleanup callback exceeded its time budget'),
        ),
      this.#timeoutMs,
    );
    budget.unref();
    const started = performance.now();
    let result: CleanupCallbackResult;
    try {
      const outcome = await raceAbort(
        Promise.resolve(callback.run({ ...context, signal: controller.signal })),
        controller.signal,
      );
      const { freed, detail } = normalize(outcome);
      result = {
        name: callback.name,
        ok: true,
        freed,
        durationMs: performance.now() - started,
        ...(detail ? { detail } : {}),
      };
    } catch (thrown) {
      const error = toError(thrown);
      callback.errors = increment(callback.errors);
      this.#logger.error({ callback: callback.name, err: error }, 'memory cleanup callback failed');
      result = {
        name: callback.name,
        ok: false,
        freed: 0,
        durationMs: performance.now() - started,
        error: error.message,
      };
    } finally {
      clearTimeout(budget);
      closing.removeEventListener('abort', onClosing);
    }
    callback.runs = increment(callback.runs);
    callback.freedTotal = increment(callback.freedTotal, result.freed);
    callback.lastDurationMs = result.durationMs;
    return result;
  }
}

function normalize(outcome: CleanupOutcome): { freed: number; detail?: Record<string, unknown> } {
  if (typeof outcome === 'number') return { freed: validCount(outcome) };
  if (outcome && typeof outcome === 'object')
    return { freed: validCount(outcome.freed), ...(outcome.detail ? { detail: outcome.detail } : {}) };
  return { freed: 0 };
}

function validCount(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
