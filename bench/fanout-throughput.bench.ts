// Fan-out throughput: market_data messages delivered per second to N clients by the real gateway
// (routing by topic and mode, send-buffer checks, per-client counters, ring buffer, last-tick
// cache, a socket corked per fan-out turn) against two raw `ws` broadcast loops sending the same
// pre-serialized messages to as many clients: one that sends each message on its own (the plain
// baseline) and one that corks every socket for each turn as the gateway does (the ceiling for
// that design). All servers run in this process; the clients run in a child process that counts
// what arrives. Rounds rotate which server goes first; the result is the median of the per-round
// ratios. See raw-broadcast-server.ts for what the baselines do and do not do.
import { FanoutRig, type Contender, type ThroughputRound } from './support/fanout-rig.js';
import { count, median } from './support/stats.js';

/** The gateway against the plain raw server, per server CPU-second. */
const AIM_OVER_RAW = 3;
/** The gateway against the raw server with the same corking. */
const AIM_OVER_CORKED = 0.85;
const CLIENT_COUNTS = [100, 1000];
const SYMBOLS = 20;
const WARMUP_ROUNDS = 1;
const ROUNDS = 7;
const WINDOW_MS = 2000;

type Round = Record<'gateway' | 'raw' | 'rawCorked', ThroughputRound>;

async function scenario(rig: FanoutRig, clients: number): Promise<void> {
  await rig.connect(clients);
  const contenders: [keyof Round, Contender][] = [
    ['gateway', rig.gateway],
    ['raw', rig.raw],
    ['rawCorked', rig.rawCorked],
  ];
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    for (const [, contender] of contenders) await rig.throughput(contender, WINDOW_MS);
  }
  const before = rig.shortfalls();
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Rotate which goes first, so none always runs on the warmer machine.
    const round: Partial<Round> = {};
    for (let j = 0; j < contenders.length; j++) {
      const [name, contender] = contenders[(i + j) % contenders.length] as [keyof Round, Contender];
      round[name] = await rig.throughput(contender, WINDOW_MS);
    }
    rounds.push(round as Round);
  }
  const after = rig.shortfalls();
  await rig.disconnect();

  const line = (name: string, pick: (r: Round) => ThroughputRound) => {
    const of = (f: (r: ThroughputRound) => number) => median(rounds.map((r) => f(pick(r))));
    return (
      `  ${name.padEnd(10)} ${count(of((r) => r.deliveriesPerCpuSecond)).padStart(10)} per server CPU-second,` +
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
  console.log(line('raw corked', (r) => r.rawCorked));
  const ratios = (baseline: keyof Round, f: (r: ThroughputRound) => number) =>
    rounds.map((r) => f(r.gateway) / f(r[baseline]));
  for (const [baseline, label, aim] of [
    ['raw', 'raw ws', AIM_OVER_RAW],
    ['rawCorked', 'raw corked', AIM_OVER_CORKED],
  ] as const) {
    const cpu = ratios(baseline, (r) => r.deliveriesPerCpuSecond);
    console.log(
      `  gateway / ${label.padEnd(10)} per CPU-second ${summary(cpu)}; aim >= ${aim}:` +
        ` ${median(cpu) >= aim ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  gateway / ${label.padEnd(10)} per second     ${summary(ratios(baseline, (r) => r.deliveries))}`,
    );
  }
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
