// Tick-to-client latency at half of the gateway's maximum throughput. Each tick is stamped when
// the tick source produces it (epoch milliseconds from performance.timeOrigin + performance.now());
// the client process subtracts that stamp from the message's arrival time on the same machine
// clock and keeps every sample, so the percentiles are exact. The baseline is the raw `ws`
// broadcast server with the same per-turn corking as the gateway's fan-out (the plain one cannot
// send half of the corked gateway's maximum at all): it runs at the same rate, stamping and
// serializing each tick as it produces it, so the difference between the two is what the
// gateway's path adds (ring buffer, a turn of the event loop, routing, checks).
import { FanoutRig, type LatencyRound } from './support/fanout-rig.js';
import { count, median } from './support/stats.js';

const CLIENT_COUNTS = [100, 1000];
const SYMBOLS = 20;
const MAX_ROUNDS = 3;
const MAX_WINDOW_MS = 2000;
const ROUNDS = 3;
const WINDOW_MS = 3000;

async function scenario(rig: FanoutRig, clients: number): Promise<void> {
  await rig.connect(clients);
  const { gateway, rawCorked: raw } = rig;
  await rig.throughput(raw, MAX_WINDOW_MS); // warm-up
  const maxima: number[] = [];
  for (let i = 0; i < MAX_ROUNDS; i++) maxima.push((await rig.throughput(gateway, MAX_WINDOW_MS)).deliveries);
  const maximum = median(maxima);
  const ticksPerSecond = maximum / 2 / clients;

  const rounds: { gateway: LatencyRound; raw: LatencyRound }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const first = i % 2 === 0 ? gateway : raw;
    const a = await rig.latency(first, ticksPerSecond, WINDOW_MS);
    const b = await rig.latency(first === raw ? gateway : raw, ticksPerSecond, WINDOW_MS);
    rounds.push(first === raw ? { raw: a, gateway: b } : { gateway: a, raw: b });
  }
  await rig.disconnect();

  console.log(
    `\n${clients} clients x ${SYMBOLS} symbols (Quote): gateway maximum ${count(maximum)} deliveries/s` +
      ` (median of ${MAX_ROUNDS} rounds); latency at half of it, ${count(ticksPerSecond)} ticks/s,` +
      ` ${ROUNDS} rounds of ${WINDOW_MS / 1000} s each, medians`,
  );
  console.log(`              p50       p99     p99.9       max   delivered/s   samples/round`);
  for (const [name, pick] of [
    ['gateway', (r: (typeof rounds)[number]) => r.gateway],
    ['raw corked', (r: (typeof rounds)[number]) => r.raw],
  ] as const) {
    const of = (f: (r: LatencyRound) => number) => median(rounds.map((r) => f(pick(r))));
    const unrecorded = rounds.reduce((sum, r) => sum + pick(r).latency.unrecorded, 0);
    if (unrecorded > 0) throw new Error(`${name}: ${unrecorded} messages without a recorded latency`);
    console.log(
      `  ${name.padEnd(10)}` +
        [
          of((r) => r.latency.p50),
          of((r) => r.latency.p99),
          of((r) => r.latency.p999),
          of((r) => r.latency.max),
        ]
          .map((ms) => `${ms.toFixed(2)} ms`.padStart(10))
          .join('') +
        count(of((r) => r.deliveries)).padStart(14) +
        count(of((r) => r.latency.samples)).padStart(16),
    );
  }
}

const rig = await FanoutRig.start(SYMBOLS);
try {
  const clock = await rig.clockOffset();
  console.log(
    `clock of the client process minus this one's: ${(clock.offsetMs * 1000).toFixed(0)} µs` +
      ` ± ${(clock.uncertaintyMs * 1000).toFixed(0)} µs (best of 50 IPC round trips)`,
  );
  for (const clients of CLIENT_COUNTS) await scenario(rig, clients);
} finally {
  await rig.close();
}
