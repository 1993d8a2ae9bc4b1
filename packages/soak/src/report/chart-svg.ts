import escapeHtml from 'escape-html';
import type { Trend } from '../analysis.js';
import type { Sample } from '../sample.js';

export interface ChartSvgInput {
  samples: readonly Sample[];
  warmupSeconds: number;
  /** The RSS trend after the warm-up, drawn as a dashed line over that span. */
  rssTrend: Trend | null;
  /** e.g. "PASS: RSS slope +0.4 MB/h". */
  title: string;
}

const WIDTH = 960;
const HEIGHT = 420;
const MARGIN = { top: 48, right: 24, bottom: 48, left: 64 };
/** Above this many points a line is reduced to the min and max of each bucket, keeping the peaks. */
const MAX_POINTS = 2000;
const COLORS = { rss: '#d62728', heap: '#1f77b4', fit: '#222222', warmup: '#eeeeee', grid: '#dddddd' };

interface Point {
  t: number;
  v: number;
}

/**
 * The report's main chart as a standalone SVG, drawn here in plain TypeScript (no browser): RSS
 * and heap used over the run, the fitted RSS line after the warm-up, and the warm-up shaded.
 */
export function renderChartSvg(input: ChartSvgInput): string {
  const rss = series(input.samples, (s) => s.rssMb);
  const heap = series(input.samples, (s) => s.heapUsedMb);
  const tMax = Math.max(1, ...[rss.at(-1)?.t ?? 0, heap.at(-1)?.t ?? 0]);
  const vMax = niceCeiling(Math.max(1, maxOf(rss), maxOf(heap)) * 1.1);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => MARGIN.left + (t / tMax) * plotW;
  const y = (v: number) => MARGIN.top + plotH - (v / vMax) * plotH;
  const parts: string[] = [];

  const warmupEnd = Math.min(input.warmupSeconds, tMax);
  parts.push(
    `<rect x="${f(x(0))}" y="${MARGIN.top}" width="${f(x(warmupEnd) - x(0))}" height="${plotH}" fill="${COLORS.warmup}"/>`,
    `<text x="${f(x(warmupEnd / 2))}" y="${MARGIN.top + 16}" text-anchor="middle" class="note">warm-up</text>`,
  );
  for (const v of ticks(vMax)) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="${COLORS.grid}"/>`,
      `<text x="${MARGIN.left - 8}" y="${f(y(v) + 4)}" text-anchor="end">${label(v)}</text>`,
    );
  }
  for (const t of timeTicks(tMax)) {
    parts.push(
      `<line x1="${f(x(t))}" x2="${f(x(t))}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#666"/>`,
      `<text x="${f(x(t))}" y="${MARGIN.top + plotH + 20}" text-anchor="middle">${elapsed(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">elapsed</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">MB</text>`,
  );
  parts.push(path(decimate(heap), x, y, COLORS.heap), path(decimate(rss), x, y, COLORS.rss));
  const trend = input.rssTrend;
  if (trend && rss.length > 0) {
    const from = Math.max(input.warmupSeconds, rss[0]?.t ?? 0);
    const at = (t: number) => trend.interceptMb + (trend.slopeMbPerHour * t) / 3600;
    parts.push(
      `<line x1="${f(x(from))}" y1="${f(y(at(from)))}" x2="${f(x(tMax))}" y2="${f(y(at(tMax)))}" stroke="${COLORS.fit}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
  }
  const legend: [string, string, boolean][] = [
    ['RSS', COLORS.rss, false],
    ['heap used', COLORS.heap, false],
    ['RSS trend after warm-up', COLORS.fit, true],
  ];
  legend.forEach(([name, color, dashed], i) => {
    const lx = MARGIN.left + 8 + i * 190;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${MARGIN.top - 12}" y2="${MARGIN.top - 12}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 30}" y="${MARGIN.top - 8}">${escapeHtml(name)}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12" role="img">`,
    `<title>${escapeHtml(input.title)}</title>`,
    '<style>.note{fill:#777}</style>',
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    `<text x="${MARGIN.left}" y="20" font-size="15" font-weight="600">${escapeHtml(input.title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function series(samples: readonly Sample[], value: (s: Sample) => number | null): Point[] {
  return samples.flatMap((s) => {
    const v = value(s);
    return v === null ? [] : [{ t: s.t, v }];
  });
}

function decimate(points: readonly Point[]): readonly Point[] {
  if (points.length <= MAX_POINTS) return points;
  const buckets = MAX_POINTS / 2;
  const size = points.length / buckets;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const bucket = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (bucket.length === 0) continue;
    let low = bucket[0] as Point;
    let high = low;
    for (const p of bucket) {
      if (p.v < low.v) low = p;
      if (p.v > high.v) high = p;
    }
    out.push(...(low.t <= high.t ? [low, high] : [high, low]));
  }
  return out;
}

function path(
  points: readonly Point[],
  x: (t: number) => number,
  y: (v: number) => number,
  color: string,
): string {
  if (points.length === 0) return '';
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p.t))},${f(y(p.v))}`).join('');
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>`;
}

function maxOf(points: readonly Point[]): number {
  let max = 0;
  for (const p of points) if (p.v > max) max = p.v;
  return max;
}

/** 1, 2 or 5 times a power of ten: a step that gives about five gridlines up to `max`. */
function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

function niceCeiling(max: number): number {
  const step = niceStep(max);
  return Math.ceil(max / step) * step;
}

function ticks(max: number): number[] {
  const step = niceStep(max);
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(v);
  return out;
}

/** Steps of elapsed time that read well: seconds, minutes, hours. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];

function timeTicks(max: number): number[] {
  const step = TIME_STEPS.find((s) => max / s <= 8) ?? 21600;
  const out: number[] = [];
  for (let t = 0; t <= max; t += step) out.push(t);
  return out;
}

function label(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function elapsed(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

function f(n: number): string {
  return n.toFixed(1);
}
