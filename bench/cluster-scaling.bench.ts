// Cluster mode on one machine: market_data messages delivered per wall second at saturation by
// one gateway node against WORKERS=2 (two nodes behind one port), the same load in the same run,
// and the tick-to-client latency the bus adds at half of the single process's maximum. Every
// layout is a real process tree started as a user would (`main.js` with NATS_URL and WORKERS) on
// a nats-server of the benchmark's own; the ticks come from the simulated exchange of whichever
// node holds its lease, through NATS to every node. The clients run in a child process. Layouts
// alternate round by round; results are medians of per-round values and ratios.
import { BENCH_API_KEY } from './support/bench-gateway.js';
import { Cleanup } from './support/cleanup.js';
import { startBenchNats, startGatewayProcess } from './support/gateway-process.js';
import { CommandChild } from './support/ipc.js';
import type { LatencyWindow, Window } from './support/load-client.js';
import { count, median, sleep } from './support/stats.js';

const AIM_PAIR_OVER_NODE = 1.6;
const CLIENTS = 600;
const SYMBOLS = 20;
/** The simulated exchange's fastest rate: 20 symbols x 100 ticks x 600 clients = 1.2 M deliveries/s asked. */
const SATURATING_TICKS_PER_SECOND = 100;
const ROUNDS = 3;
const SETTLE_MS = 3000;
const WINDOW_MS = 3000;

interface Layout {
  name: string;
  env: Record<string, string>;
  listeners: number;
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    const natsUrl = await startBenchNats(cleanup);
    const client = await CommandChild.start(new URL('./support/load-client.js', import.meta.url));
    cleanup.add(() => client.stop());
    let clusters = 0;
    const cluster = (workers: number): Layout => ({
      name: workers === 1 ? 'one node' : `WORKERS=${workers}`,
      env: { NATS_URL: natsUrl, CLUSTER_NAME: `bench${++clusters}`, WORKERS: String(workers) },
      listeners: workers,
    });
    const single: Layout = { name: 'single process', env: {}, listeners: 1 };

    const perSecond = (w: Window) => (w.messages / w.elapsedMs) * 1000;

    /** One round of a layout: start it, connect the clients, measure, stop it. */
    const round = async <T extends Window>(
      layout: Layout,
      ticksPerSecond: number,
      measure: string,
      args: object,
    ) => {
      const own = new Cleanup();
      try {
        const { wsUrl } = await startGatewayProcess(
          own,
          { ...layout.env, SIM_SYMBOLS: '200', SIM_TICKS_PER_SECOND: String(ticksPerSecond) },
          layout.listeners,
        );
        const symbols = Array.from({ length: SYMBOLS }, (_, i) => i);
        const list = (await (
          await fetch(`${wsUrl.replace(/^ws/, 'http')}/api/symbols?exchange=SIM`)
        ).json()) as {
          symbols: string[];
        };
        await client.call('open', {
          pool: 'bench',
          url: wsUrl,
          clients: CLIENTS,
          handshake: [
            { action: 'authenticate', api_key: BENCH_API_KEY },
            {
              action: 'subscribe',
              mode: 2,
              symbols: symbols.map((i) => ({ exchange: 'SIM', symbol: list.symbols[i] })),
            },
          ],
        });
        own.add(() => client.call('close', { pool: 'bench' }));
        await sleep(SETTLE_MS);
        const window = await client.call<T>(measure, { pool: 'bench', ms: WINDOW_MS, ...args });
        process.stderr.write(
          `  ${layout.name} at ${ticksPerSecond.toFixed(1)} ticks/s: ${count(perSecond(window))} deliveries/s\n`,
        );
        return window;
      } finally {
        await own.run();
      }
    };

    // Throughput at saturation.
    const layouts = [single, cluster(1), cluster(2)];
    const rates = new Map<string, number[]>(layouts.map((l) => [l.name, []]));
    const pairOverNode: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const thisRound = new Map<string, number>();
      for (let j = 0; j < layouts.length; j++) {
        const layout = layouts[(r + j) % layouts.length]!;
        const rate = perSecond(await round<Window>(layout, SATURATING_TICKS_PER_SECOND, 'count', {}));
        rates.get(layout.name)!.push(rate);
        thisRound.set(layout.name, rate);
      }
      pairOverNode.push(thisRound.get('WORKERS=2')! / thisRound.get('one node')!);
    }
    console.log(
      `\n${CLIENTS} clients x ${SYMBOLS} symbols (Quote), simulated exchange at ${SATURATING_TICKS_PER_SECOND} ticks/s a symbol;` +
        ` ${ROUNDS} rounds of ${WINDOW_MS / 1000} s; deliveries per wall second, medians`,
    );
    for (const [name, values] of rates)
      console.log(`  ${name.padEnd(15)} ${count(median(values)).padStart(10)}`);
    console.log(
      `  WORKERS=2 / one node: ${median(pairOverNode).toFixed(2)} (rounds: ${pairOverNode.map((x) => x.toFixed(2)).join(', ')});` +
        ` aim >= ${AIM_PAIR_OVER_NODE}: ${median(pairOverNode) >= AIM_PAIR_OVER_NODE ? 'met' : 'MISSED'}`,
    );

    // Latency at half of the single process's maximum.
    const half = median(rates.get('single process')!) / 2;
    const ticksPerSecond = Math.max(0.1, Math.min(100, half / (CLIENTS * SYMBOLS)));
    const latencies = new Map<string, LatencyWindow[]>([
      ['single process', []],
      ['cluster of two', []],
    ]);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, layout] of r % 2 === 0
        ? ([
            ['single process', single],
            ['cluster of two', cluster(2)],
          ] as const)
        : ([
            ['cluster of two', cluster(2)],
            ['single process', single],
          ] as const)) {
        latencies
          .get(name)!
          .push(await round<LatencyWindow>(layout, ticksPerSecond, 'latency', { capacity: 4_000_000 }));
      }
    }
    console.log(
      `\nlatency at half of the single process's maximum: ${ticksPerSecond.toFixed(1)} ticks/s a symbol,` +
        ` ${count(ticksPerSecond * CLIENTS * SYMBOLS)} deliveries/s asked; tick to client, ms, medians of ${ROUNDS} rounds`,
    );
    const p = (name: string, q: 'p50' | 'p99') => median(latencies.get(name)!.map((w) => w.latency[q]));
    for (const name of latencies.keys()) {
      console.log(
        `  ${name.padEnd(15)} p50 ${p(name, 'p50').toFixed(2).padStart(7)}   p99 ${p(name, 'p99').toFixed(2).padStart(7)}`,
      );
    }
    const added = p('cluster of two', 'p50') - p('single process', 'p50');
    console.log(
      `  added by the bus: p50 ${added.toFixed(2)} ms (aim <= 1 ms: ${added <= 1 ? 'met' : 'MISSED'}),` +
        ` p99 ${(p('cluster of two', 'p99') - p('single process', 'p99')).toFixed(2)} ms`,
    );
  } finally {
    await cleanup.run();
  }
}

await main();
