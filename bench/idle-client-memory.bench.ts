// Memory per connected idle client: connections authenticated and subscribed to nothing, held
// open against the gateway (default configuration) and against the raw `ws` baseline. Each server
// runs alone in a fresh child process started with --expose-gc and is read after full
// collections; the clients live in this process. Clients are added in steps and the server is
// read after each; the growth per client is the least-squares slope through those readings.
//
// Two things would otherwise swamp the per-client numbers, both measured while building this:
// - V8 resizes the young generation (up to 2 x 16 MB) by allocation rate, so a resize landed in
//   one server's readings and not the other's (up to 4.6 KB "per client" of RSS). Both servers run
//   with a fixed 1 MB semi-space; retained memory is unaffected, only where garbage is collected.
// - The first clients after start-up reuse heap pages freed by start-up and the warm-up, so the
//   first step grows RSS by little or nothing; the slope starts at the first step's reading.
// Rounds alternate which server goes first; the result is the median of the per-round ratios.
import { fitLine } from '@steadystate/lifecycle/testing';
import { BENCH_API_KEY } from './support/bench-gateway.js';
import { Cleanup } from './support/cleanup.js';
import { ClientPool } from './support/client-pool.js';
import { CommandChild } from './support/ipc.js';
import { count, median, sleep } from './support/stats.js';

const AIM = 1.2;
const STEP = 1000;
const STEPS = 4;
/** Connections opened and closed before the first reading, so lazily built state is already there. */
const WARMUP_CLIENTS = 100;
const ROUNDS = 3;
const SERVER_FLAGS = ['--expose-gc', '--min-semi-space-size=1', '--max-semi-space-size=1'];
const SERVERS = ['raw', 'gateway'] as const;
type ServerKind = (typeof SERVERS)[number];

/** Growth per connected client, in bytes. */
interface PerClient {
  heapUsed: number;
  /** Buffers and other memory outside the JS heap that V8 knows of. */
  external: number;
  rss: number;
}

async function measure(kind: ServerKind): Promise<PerClient> {
  const cleanup = new Cleanup();
  try {
    const script = new URL('./support/memory-server.js', import.meta.url);
    const server = await CommandChild.start(script, [kind], SERVER_FLAGS);
    cleanup.add(() => server.stop());
    const url = await server.call<string>('url');
    // The raw server answers the same authenticate message with a canned success.
    const handshake = [{ action: 'authenticate', api_key: BENCH_API_KEY }];
    const warm = await ClientPool.open({ url, clients: WARMUP_CLIENTS, handshake });
    await warm.close();
    await serverReports(server, 0);
    const clients: number[] = [];
    const readings: NodeJS.MemoryUsage[] = [];
    for (let step = 1; step <= STEPS; step++) {
      const pool = await ClientPool.open({ url, clients: STEP, handshake });
      cleanup.add(() => pool.close());
      await serverReports(server, step * STEP);
      clients.push(step * STEP);
      readings.push(await server.call<NodeJS.MemoryUsage>('memory'));
      if (pool.closedByServer.size > 0) throw new Error(`${kind} closed idle clients`);
    }
    const slope = (field: keyof NodeJS.MemoryUsage) =>
      fitLine(
        clients,
        readings.map((r) => r[field]),
      ).slope;
    return { heapUsed: slope('heapUsed'), external: slope('external'), rss: slope('rss') };
  } finally {
    await cleanup.run();
  }
}

/** Waits until the server counts `clients` connected clients (a close is handled asynchronously). */
async function serverReports(server: CommandChild, clients: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  while ((await server.call<number>('clients')) !== clients) {
    if (performance.now() > deadline) throw new Error(`the server never reported ${clients} clients`);
    await sleep(50);
  }
}

const results: Record<ServerKind, PerClient[]> = { raw: [], gateway: [] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
  for (const kind of order) results[kind].push(await measure(kind));
}

const bytes = (value: number) => `${count(value)} B`;
console.log(
  `\nIdle clients (authenticated, no subscriptions), ${count(STEP)} to ${count(STEP * STEPS)} in steps of` +
    ` ${count(STEP)}, ${ROUNDS} rounds; server growth per client, medians`,
);
console.log(`           heap used   external        rss`);
for (const kind of [...SERVERS].reverse()) {
  const of = (f: (r: PerClient) => number) => bytes(median(results[kind].map(f)));
  const name = kind === 'raw' ? 'raw ws' : kind;
  console.log(
    `  ${name.padEnd(8)}${of((r) => r.heapUsed).padStart(10)}${of((r) => r.external).padStart(11)}` +
      `${of((r) => r.rss).padStart(11)}`,
  );
}
for (const [what, pick] of [
  ['heap used', (r: PerClient) => r.heapUsed],
  ['rss', (r: PerClient) => r.rss],
] as const) {
  const ratios = results.gateway.map((g, i) => pick(g) / pick(results.raw[i] as PerClient));
  const ratio = median(ratios);
  console.log(
    `  ratio gateway / raw ws, ${what.padEnd(9)} ${ratio.toFixed(2)} (median of ${ROUNDS} rounds,` +
      ` min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)});` +
      ` aim <= ${AIM}: ${ratio <= AIM ? 'met' : 'MISSED'}`,
  );
}
