/**
 * The set-up the fan-out benchmarks share: in this process, a real gateway fed by a
 * {@link BenchFeed} and a {@link RawBroadcastServer} replaying the same ticks; in a child
 * process, the clients of both (one pool per server, the same handshake for each). Both servers
 * are up for the whole run and only the measured one produces ticks, so rounds can alternate
 * between them without reconnecting.
 */
import { serializeMarketData, type Gateway, type Tick } from '@steadystate/gateway';
import {
  BENCH_BROKER,
  BENCH_EXCHANGE,
  BenchFeed,
  benchSymbols,
  epochNow,
  tickSequence,
} from './bench-feed.js';
import { BENCH_API_KEY, startBenchGateway } from './bench-gateway.js';
import { Cleanup } from './cleanup.js';
import { CommandChild } from './ipc.js';
import type { LatencyWindow, OpenArgs, Window } from './load-client.js';
import { Pump } from './pump.js';
import { RawBroadcastServer } from './raw-broadcast-server.js';
import { sleep } from './stats.js';

/** Subscribers see Quote ticks (mode 2), the protocol's default mode. */
const MODE = 2;
/** Sends per turn of the event loop in `max` mode, spread over the clients: 8192 / clients ticks a turn. */
const SENDS_PER_TURN = 8192;
/** Time for a contender to reach a steady state before a window is measured. */
const SETTLE_MS = 500;

/** One of the two servers: its tick producer and the name of its client pool. */
export interface Contender {
  readonly name: string;
  readonly pool: string;
  readonly pump: Pump;
  /** Flat out, whether the server has taken the previous batch of ticks. */
  readonly ready: () => boolean;
}

export interface ThroughputRound extends Window {
  /** Messages the clients received per second. */
  deliveries: number;
  /**
   * Messages the clients received per CPU-second of the server process: what a delivery costs
   * the server, whatever share of a core the machine's other work left it.
   */
  deliveriesPerCpuSecond: number;
  /** CPU time of the server process (this one) per wall second, 1 = one core. */
  serverCpu: number;
  clientCpu: number;
}

export interface LatencyRound extends ThroughputRound {
  latency: LatencyWindow['latency'];
}

export class FanoutRig {
  readonly symbols: readonly string[];
  readonly gateway: Contender;
  readonly raw: Contender;
  /** The raw server again, its sockets corked for each batch of broadcasts (same clients as `raw`). */
  readonly rawCorked: Contender;
  readonly #gw: Gateway;
  readonly #rawServer: RawBroadcastServer;
  readonly #client: CommandChild;
  readonly #cleanup: Cleanup;
  #clients = 0;

  private constructor(
    symbols: readonly string[],
    contenders: { gateway: Contender; raw: Contender; rawCorked: Contender },
    parts: { gw: Gateway; rawServer: RawBroadcastServer; client: CommandChild; cleanup: Cleanup },
  ) {
    this.symbols = symbols;
    this.gateway = contenders.gateway;
    this.raw = contenders.raw;
    this.rawCorked = contenders.rawCorked;
    this.#gw = parts.gw;
    this.#rawServer = parts.rawServer;
    this.#client = parts.client;
    this.#cleanup = parts.cleanup;
  }

  /** Starts both servers and the client process. Call close() in a finally. */
  static async start(symbolCount: number): Promise<FanoutRig> {
    const symbols = benchSymbols(symbolCount);
    const cleanup = new Cleanup();
    try {
      const feed = new BenchFeed(symbols);
      const { gateway: gw, config } = await startBenchGateway(cleanup, feed.catalog);
      cleanup.add(() => feed.pump.stop());
      const rawServer = await RawBroadcastServer.start({
        maxBufferedBytes: config.ws.maxBufferedBytes,
        corkable: true,
      });
      cleanup.add(() => rawServer.close());
      const raw = rawContender(rawServer, symbols, false);
      cleanup.add(() => raw.pump.stop());
      const rawCorked = rawContender(rawServer, symbols, true);
      cleanup.add(() => rawCorked.pump.stop());
      const client = await CommandChild.start(new URL('./load-client.js', import.meta.url));
      cleanup.add(() => client.stop());
      const ring = gw.parts.ring;
      // The fan-out drains the whole ring buffer every turn, so an empty one means it has caught up.
      const gateway: Contender = {
        name: 'gateway',
        pool: 'gateway',
        pump: feed.pump,
        ready: () => ring.size === 0,
      };
      return new FanoutRig(symbols, { gateway, raw, rawCorked }, { gw, rawServer, client, cleanup });
    } catch (error) {
      await cleanup.run();
      throw error;
    }
  }

  /** Opens `clients` connections to each server, authenticated and subscribed to every symbol. */
  async connect(clients: number): Promise<void> {
    const handshake = [
      { action: 'authenticate', api_key: BENCH_API_KEY },
      {
        action: 'subscribe',
        symbols: this.symbols.map((symbol) => ({ symbol, exchange: BENCH_EXCHANGE })),
        mode: MODE,
      },
    ];
    for (const [contender, url] of [
      [this.gateway, this.#gw.wsUrl],
      [this.raw, this.#rawServer.url],
    ] as const) {
      const args: OpenArgs = { pool: contender.pool, url, clients, handshake };
      await this.#client.call('open', args);
    }
    this.#clients = clients;
  }

  async disconnect(): Promise<void> {
    for (const contender of [this.gateway, this.raw])
      await this.#client.call('close', { pool: contender.pool });
    this.#clients = 0;
  }

  /** Runs `contender` flat out and counts what the clients receive in `ms`. */
  async throughput(contender: Contender, ms: number): Promise<ThroughputRound> {
    return this.#round(contender, 'max', () =>
      this.#client.call<Window>('count', { pool: contender.pool, ms }),
    );
  }

  /** Runs `contender` at `ticksPerSecond` and records every message's tick-to-client latency for `ms`. */
  async latency(contender: Contender, ticksPerSecond: number, ms: number): Promise<LatencyRound> {
    // Room for twice the expected samples; beyond that, messages are counted as unrecorded.
    const capacity = Math.ceil(((ticksPerSecond * this.#clients * ms) / 1000) * 2);
    return this.#round(contender, ticksPerSecond, () =>
      this.#client.call<LatencyWindow>('latency', { pool: contender.pool, ms, capacity }),
    );
  }

  /**
   * What the servers did instead of sending: ticks the gateway conflated for clients that fell
   * behind, ticks its ring buffer dropped, deliveries the raw server skipped. All 0 means the
   * clients kept up and every produced tick reached every client.
   */
  shortfalls(): { conflated: number; ringDropped: number; rawSkipped: number } {
    let conflated = 0;
    for (const client of this.#gw.parts.clients.values()) conflated += client.metrics.conflated;
    return {
      conflated,
      ringDropped: this.#gw.parts.ring.stats().dropped,
      rawSkipped: this.#rawServer.skipped,
    };
  }

  /** Clock of the client process minus this one's, estimated over IPC (± half the best round trip). */
  async clockOffset(): Promise<{ offsetMs: number; uncertaintyMs: number }> {
    let best = { offsetMs: NaN, uncertaintyMs: Infinity };
    for (let i = 0; i < 50; i++) {
      const sent = epochNow();
      const theirs = await this.#client.call<number>('now');
      const received = epochNow();
      const half = (received - sent) / 2;
      if (half < best.uncertaintyMs) best = { offsetMs: theirs - (sent + half), uncertaintyMs: half };
    }
    return best;
  }

  /** Stops the client process and both servers. */
  close(): Promise<void> {
    return this.#cleanup.run();
  }

  async #round<W extends Window>(
    contender: Contender,
    rate: 'max' | number,
    measure: () => Promise<W>,
  ): Promise<W & ThroughputRound> {
    contender.pump.start(
      rate === 'max'
        ? {
            kind: 'max',
            batch: Math.max(1, Math.round(SENDS_PER_TURN / this.#clients)),
            ready: contender.ready,
          }
        : { kind: 'rate', perSecond: rate },
    );
    let window: W;
    let serverCpuMs: number;
    try {
      await sleep(SETTLE_MS);
      const cpu = process.cpuUsage();
      window = await measure();
      const used = process.cpuUsage(cpu);
      serverCpuMs = (used.user + used.system) / 1000;
    } finally {
      contender.pump.stop();
    }
    await this.#client.call('quiet', { pool: contender.pool, ms: 100 });
    checkMarketData(contender.name, window.last);
    if (window.closedByServer.length > 0) {
      throw new Error(`${contender.name} closed clients: ${JSON.stringify(window.closedByServer)}`);
    }
    return {
      ...window,
      deliveries: (window.messages * 1000) / window.elapsedMs,
      deliveriesPerCpuSecond: (window.messages * 1000) / serverCpuMs,
      serverCpu: serverCpuMs / window.elapsedMs,
      clientCpu: window.cpuMs / window.elapsedMs,
    };
  }
}

/**
 * The raw server's contender. Flat out it replays the tick sequence serialized once up front,
 * as a broadcast loop would; at a fixed rate it stamps and serializes each tick when it is
 * produced (once, for every client), since a stamp is what the latency is measured from.
 * `corked`: every client's socket is corked for each batch the pump emits, one turn's worth.
 */
function rawContender(server: RawBroadcastServer, symbols: readonly string[], corked: boolean): Contender {
  const sequence = tickSequence(symbols);
  // Stamped like the gateway's ticks, so both send messages of the same length.
  const serialized = sequence.map((tick) =>
    serializeMarketData({ ...tick, timestamp: epochNow() }, MODE, 0, BENCH_BROKER),
  );
  let next = 0;
  const pump: Pump = new Pump((count) => {
    const fresh = pump.mode?.kind === 'rate';
    if (corked) server.corkAll();
    for (let i = 0; i < count; i++) {
      const index = next;
      next = (next + 1) % sequence.length;
      const payload = fresh
        ? serializeMarketData({ ...(sequence[index] as Tick), timestamp: epochNow() }, MODE, 0, BENCH_BROKER)
        : (serialized[index] as Buffer);
      server.broadcast(payload);
    }
    if (corked) server.uncorkAll();
  });
  // The socket writes are the backlog; the send-buffer check in broadcast() bounds them.
  return { name: corked ? 'raw corked' : 'raw ws', pool: 'raw', pump, ready: () => true };
}

/** Throws unless `last` is a market_data message of the benchmark's mode. */
function checkMarketData(name: string, last: string | null): void {
  const message = last === null ? undefined : (JSON.parse(last) as { type?: unknown; mode?: unknown });
  if (message?.type !== 'market_data' || message.mode !== MODE) {
    throw new Error(`${name}: expected market_data messages of mode ${MODE}, got ${String(last)}`);
  }
}
