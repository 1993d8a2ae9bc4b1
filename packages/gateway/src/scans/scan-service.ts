import {
  CloseOnce,
  TaskRegistry,
  schedulingOf,
  systemClock,
  type Clock,
  type Logger,
  type MemoryMonitor,
  type SchedulingOptions,
  type StructureRegistry,
  type TaskLookup,
  type TaskSummary,
} from '@steadystate/lifecycle';
import type { ExchangeManager } from '../exchanges/exchange-manager.js';
import { runScan, type ScanResult } from './market-scanner.js';
import type { ScanRequest } from './scan-request.js';
import { LogWatchers } from './log-watchers.js';
import type { SessionLogStore } from './session-log-store.js';

export interface ScanServiceOptions extends SchedulingOptions {
  exchanges: ExchangeManager;
  logs: SessionLogStore;
  monitor: MemoryMonitor;
  retentionMs: number;
  sweepIntervalMs: number;
  maxConcurrent: number;
  maxQueued: number;
  maxRetained: number;
  structures: StructureRegistry;
  logger: Logger;
  now?: Clock;
}

/**
 * Batch market scans as background tasks: each scan runs in the TaskRegistry (bounded
 * concurrency, a queue, retention and a sweep), writes its session log, and holds an exchange
 * lease only while it runs. Registers its cleanup callbacks with the memory monitor.
 */
export class ScanService {
  readonly tasks: TaskRegistry<ScanResult>;
  readonly #o: ScanServiceOptions;
  readonly #now: Clock;
  readonly #unregister: (() => void)[];
  readonly #closing = new CloseOnce();
  /** Scans whose function has not returned yet, and so may still append to their log. */
  readonly #writing = new Set<string>();
  /** Pending and running scans per owner, for the per-key limit; an owner leaves with its last. */
  readonly #active = new Map<string, number>();
  /** Followers of a log, told when its scan settles and when it is done writing. */
  readonly #followers: LogWatchers;

  constructor(options: ScanServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? systemClock;
    this.#followers = new LogWatchers((error) => options.logger.error({ err: error }, 'log follower failed'));
    this.tasks = new TaskRegistry<ScanResult>({
      name: 'scan-tasks',
      maxConcurrent: options.maxConcurrent,
      maxQueued: options.maxQueued,
      maxRetained: options.maxRetained,
      retentionMs: options.retentionMs,
      sweepIntervalMs: options.sweepIntervalMs,
      structures: options.structures,
      logger: options.logger,
      onSettled: (task) => {
        this.#settled(ownerOf(task));
        this.#followers.notify(task.id);
      },
      ...schedulingOf(options),
    });
    const { monitor, logs, exchanges } = options;
    this.#unregister = [
      monitor.registerCleanup({
        name: 'scan-session-logs',
        priority: 15,
        minLevel: 'WARNING',
        run: () => logs.sweep(),
      }),
      monitor.registerCleanup({
        name: 'idle-exchange-clients',
        priority: 25,
        minLevel: 'WARNING',
        run: () => exchanges.cleanupUnusedExchanges(0),
      }),
      monitor.registerCleanup({
        name: 'scan-results',
        priority: 45,
        minLevel: 'HIGH',
        run: () => this.tasks.clearAllResults() + this.tasks.sweep(),
      }),
    ];
  }

  /** Starts the retention sweep; only needed with `autostart: false` (`start()` starts a scan). */
  startSweep(): void {
    this.tasks.startSweep();
  }

  /** Queues a scan and returns its task id. Throws QUEUE_FULL (code) when the queue is full. */
  start(request: ScanRequest, owner: string): string {
    const what = request.symbols ? `${request.symbols.length} symbols` : `top ${request.top ?? 0}`;
    const id = this.tasks.start((signal, context) => this.#run(request, signal, context), {
      label: `scan ${request.exchange} ${what} ${request.timeframe}`,
      metadata: { owner, exchange: request.exchange, timeframe: request.timeframe, rank_by: request.rank_by },
    });
    this.#active.set(owner, this.activeOf(owner) + 1);
    return id;
  }

  /** Scans of `owner` pending or running now. */
  activeOf(owner: string): number {
    return this.#active.get(owner) ?? 0;
  }

  lookup(id: string): TaskLookup<ScanResult> {
    return this.tasks.lookup(id);
  }

  /**
   * Cancels a pending or running scan, or drops a finished one with its log. Returns what was
   * done, or null for an id that is not held (expired or unknown: see lookup()).
   */
  async cancelOrRemove(id: string): Promise<'cancelled' | 'removed' | null> {
    const found = this.tasks.lookup(id);
    if (found.state !== 'found') return null;
    if (found.task.status === 'pending' || found.task.status === 'running') {
      this.tasks.cancel(id);
      return 'cancelled';
    }
    this.tasks.cleanupTask(id);
    await this.#o.logs.delete(id);
    return 'removed';
  }

  /**
   * True once the scan of `id` will append nothing more to its log. A cancelled scan is
   * `cancelled` at once but writes its last line when its function stops, a moment later: a
   * reader that stopped at the status would miss it.
   */
  logComplete(id: string): boolean {
    return !this.#writing.has(id);
  }

  /**
   * Calls `listener` whenever the log of scan `id` may have changed: a line appended, the scan
   * settled, the scan done writing. Returns the function that stops it.
   */
  followLog(id: string, listener: () => void): () => void {
    const stops = [this.#o.logs.watch(id, listener), this.#followers.watch(id, listener)];
    return () => stops.forEach((stop) => stop());
  }

  /** Up to 64 KiB of the scan's session log from `offset`; null when it has no log (yet). */
  readLog(id: string, offset: number) {
    return this.#o.logs.read(id, offset);
  }

  stats() {
    return { ...this.tasks.stats(), logs: this.#o.logs.stats(), exchanges: this.#o.exchanges.stats() };
  }

  /** Cancels every scan and waits for them (bounded by the registry's closeTimeoutMs). Idempotent. */
  close(): Promise<void> {
    return this.#closing.run(async () => {
      for (const unregister of this.#unregister) unregister();
      await this.tasks.close();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #settled(owner: string | null): void {
    if (owner === null) return;
    const active = this.activeOf(owner) - 1;
    if (active > 0) this.#active.set(owner, active);
    else this.#active.delete(owner);
  }

  async #run(
    request: ScanRequest,
    signal: AbortSignal,
    context: { id: string; progress(done: number, total?: number, message?: string): void },
  ): Promise<ScanResult> {
    const { logs } = this.#o;
    const line = (text: string) => `${new Date(this.#now()).toISOString()} ${text}\n`;
    this.#writing.add(context.id);
    try {
      await logs.create(context.id);
      const log = async (text: string): Promise<void> => {
        await logs.append(context.id, line(text));
      };
      await log(`scan started: ${JSON.stringify(request)}`);
      try {
        const progress = (done: number, total: number, message?: string) =>
          context.progress(done, total, message);
        const result = await runScan(request, this.#o.exchanges, { signal, log, progress, now: this.#now });
        await logs.append(context.id, line('scan completed'));
        return result;
      } catch (error) {
        const message = signal.aborted
          ? 'scan cancelled'
          : `scan failed: ${error instanceof Error ? error.message : String(error)}`;
        await logs.append(context.id, line(message));
        throw error;
      }
    } finally {
      this.#writing.delete(context.id);
      this.#followers.notify(context.id);
    }
  }
}

/** Who started a scan (an api key's user id, or 'admin'); null for a task without one. */
export function ownerOf(task: TaskSummary): string | null {
  const owner = task.metadata?.owner;
  return typeof owner === 'string' ? owner : null;
}
