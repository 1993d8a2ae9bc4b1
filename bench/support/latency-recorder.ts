/**
 * Tick-to-client latency of market_data messages: arrival time minus the `timestamp` the tick
 * source stamped (both {@link epochNow}-style epoch milliseconds, one machine clock). Samples go
 * into a preallocated array and are sorted once for the summary, so recording allocates only
 * the few bytes of the stamp's text and the percentiles are exact.
 */
import { quantile } from './stats.js';

const STAMP_KEY = Buffer.from('"timestamp":');
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;

export interface LatencySummary {
  samples: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Messages that carried no stamp, or arrived after the sample array was full. */
  unrecorded: number;
}

export class LatencyRecorder {
  readonly #samples: Float64Array;
  #count = 0;
  #unrecorded = 0;

  constructor(capacity: number) {
    this.#samples = new Float64Array(capacity);
  }

  record(message: Buffer, arrival: number): void {
    const stamp = readStamp(message);
    if (Number.isNaN(stamp) || this.#count === this.#samples.length) {
      this.#unrecorded++;
      return;
    }
    this.#samples[this.#count++] = arrival - stamp;
  }

  summary(): LatencySummary {
    const sorted = this.#samples.slice(0, this.#count).sort();
    return {
      samples: this.#count,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      p999: quantile(sorted, 0.999),
      max: sorted[sorted.length - 1] ?? NaN,
      unrecorded: this.#unrecorded,
    };
  }
}

/** The number after the first `"timestamp":` of a JSON message, NaN without one. */
function readStamp(message: Buffer): number {
  const key = message.indexOf(STAMP_KEY);
  if (key < 0) return NaN;
  const start = key + STAMP_KEY.length;
  let end = start;
  for (let byte = message[end]; byte !== undefined; byte = message[++end]) {
    if ((byte < DIGIT_0 || byte > DIGIT_9) && byte !== DOT) break;
  }
  return end === start ? NaN : Number(message.toString('latin1', start, end));
}
