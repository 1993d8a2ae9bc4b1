// Fan-out throughput: market_data messages delivered per second to N clients by the real gateway
// (routing by topic and mode, send-buffer checks, per-client counters, ring buffer, last-tick
// cache) against a raw `ws` broadcast loop sending the same pre-serialized messages to as many
// clients. Both servers run in this process; the clients run in a child process that counts
// what arrives. Rounds alternate between the two; the result is the median of the per-round
// ratios. See raw-broadcast-server.ts for what the baseline does and does not do.
import { FanoutRig, type ThroughputRound } from './support/fanout-rig.js';
import { count, median } from './support/stats.js';

const AIM = 0.9;
const CLIENT_COUNTS = [100, 1000];
const SYMBOLS = 20;
const WARMUP_ROUNDS = 1;
const ROUNDS = 7;
const WINDOW_MS = 2000;

async function scenario(rig: FanoutRig, clients: number): Promise<void> {
  await rig.connect(clients);
  const { gateway, raw } = rig;
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    await rig.throughput(raw, WINDOW_MS);
    await rig.throughput(gateway, WINDOW_MS);
  }
  const before = rig.shortfalls();
  const rounds: { gateway: ThroughputRound; raw: ThroughputRound }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so neither always runs on the warmer machine.
    const first = i % 2 === 0 ? raw : gateway;
    const second = first === raw ? gateway : raw;
    const a = await rig.throughput(first, WINDOW_MS);
    const b = await rig.throughput(second, WINDOW_MS);
    rounds.push(first === raw ? { raw: a, gateway: b } : { gateway: a, raw: b });
  }
  const after = rig.shortfalls();
  await rig.disconnect();

  const ratio = (f: (r: ThroughputRound) => number) => rounds.map((r) => f(r.gateway) / f(r.raw));
  const cpuRatios = ratio((r) => r.deliveriesPerCpuSecond);
  const wallRatios = ratio((r) => r.deliveries);
  const line = (name: string, pick: (r: (typeof rounds)[number]) => ThroughputRound) => {
    const of = (f: (r: ThroughputRound) => number) => median(rounds.map((r) => f(pick(r))));
    return (
      `  ${name.padEnd(8)} ${count(of((r) => r.deliveriesPerCpuSecond)).padStart(10)} per server CPU-second,` +
      ` ${count(of((r) => r.deliveries)).padStart(9)} per second` +
      ` (server ${pct(of((r) => r.serverCpu))} of a core, clients ${pct(of((r) => r.clientCpu))};` +
      ` ${Math.round(of((r) => r.bytes / r.messages))} B each)`
    );
  };
  console.log(
    `\n${clients} clients x ${SYMBOLS} symbols (Quote), ${ROUNDS} rounds of ${WINDOW_MS / 1000} s each;` +
      ` deliveries, medians`,
  );
  console.log(line('gateway', (r) => r.gateway));
  console.log(line('raw ws', (r) => r.raw));
  const cpuRatio = median(cpuRatios);
  console.log(
    `  ratio per CPU-second ${summary(cpuRatios)}; aim >= ${AIM}: ${cpuRatio >= AIM ? 'met' : 'MISSED'}`,
  );
  console.log(`  ratio per second     ${summary(wallRatios)}`);
  console.log(
    `  during the timed rounds: gateway conflated ${after.conflated - before.conflated} and its ring buffer` +
      ` dropped ${after.ringDropped - before.ringDropped} ticks; raw ws skipped ${after.rawSkipped - before.rawSkipped} sends`,
  );
}

function summary(ratios: number[]): string {
  return (
    `${median(ratios).toFixed(2)} (median of ${ratios.length} rounds, ` +
    `min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`
  );
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

const rig = await FanoutRig.start(SYMBOLS);
try {
  for (const clients of CLIENT_COUNTS) await scenario(rig, clients);
} finally {
  await rig.close();
}
