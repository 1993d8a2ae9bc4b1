/**
 * Child process holding the benchmark's WebSocket clients, so that receiving messages does not
 * compete with the measured server for its process. Started by {@link CommandChild}; holds named
 * pools of clients and measures them on command.
 */
import { ClientPool, type ClientPoolOptions } from './client-pool.js';
import { serveCommands } from './ipc.js';
import { LatencyRecorder, type LatencySummary } from './latency-recorder.js';
import { sleep } from './stats.js';

export interface OpenArgs extends ClientPoolOptions {
  pool: string;
}

/** Messages received by a pool in a window, and what the client process spent receiving them. */
export interface Window {
  messages: number;
  bytes: number;
  elapsedMs: number;
  /** CPU time of this process (user + system) during the window. */
  cpuMs: number;
  /** The last message received, as text. */
  last: string | null;
  /** Connections the server closed so far, as [close code, count]. */
  closedByServer: [number, number][];
}

export interface LatencyWindow extends Window {
  latency: LatencySummary;
}

const pools = new Map<string, ClientPool>();

function pool(name: string): ClientPool {
  const found = pools.get(name);
  if (!found) throw new Error(`no pool ${name}`);
  return found;
}

async function measure(name: string, ms: number): Promise<Window> {
  const p = pool(name);
  const messages = p.messages;
  const bytes = p.bytes;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await sleep(ms);
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    messages: p.messages - messages,
    bytes: p.bytes - bytes,
    elapsedMs,
    cpuMs: (used.user + used.system) / 1000,
    last: p.last?.toString() ?? null,
    closedByServer: [...p.closedByServer],
  };
}

serveCommands({
  open: async (args: OpenArgs) => {
    if (pools.has(args.pool)) throw new Error(`pool ${args.pool} is open already`);
    pools.set(args.pool, await ClientPool.open(args));
    return pool(args.pool).size;
  },
  close: async ({ pool: name }: { pool: string }) => {
    const p = pool(name);
    pools.delete(name);
    await p.close();
    return [...p.closedByServer];
  },
  count: ({ pool: name, ms }: { pool: string; ms: number }) => measure(name, ms),
  latency: async ({ pool: name, ms, capacity }: { pool: string; ms: number; capacity: number }) => {
    const p = pool(name);
    const recorder = new LatencyRecorder(capacity);
    p.recorder = recorder;
    try {
      const window = await measure(name, ms);
      return { ...window, latency: recorder.summary() } satisfies LatencyWindow;
    } finally {
      p.recorder = undefined;
    }
  },
  /** Resolves once the pool has received nothing for `ms` (the previous round has drained). */
  quiet: async ({ pool: name, ms }: { pool: string; ms: number }) => {
    const p = pool(name);
    const deadline = performance.now() + 30_000;
    while (performance.now() - p.lastAt < ms) {
      if (performance.now() > deadline) throw new Error(`pool ${name} did not go quiet`);
      await sleep(ms / 4);
    }
  },
  /** This process's epoch clock, to check it against the parent's. */
  now: () => performance.timeOrigin + performance.now(),
});
