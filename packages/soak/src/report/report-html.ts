import escapeHtml from 'escape-html';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CLEANUP_KINDS, type CleanupEvent } from '../cleanup-events.js';
import type { Sample } from '../sample.js';
import { REPORT_PAGE_SCRIPT } from './report-page-script.js';
import type { SeriesJson, SoakSummary } from './summary.js';

export interface ReportHtmlInput {
  summary: SoakSummary;
  samples: readonly Sample[];
  events: readonly CleanupEvent[];
  /** The fitted RSS line after the warm-up, drawn over the RSS series. */
  rssFit: { interceptMb: number; slopeMbPerHour: number } | null;
}

/** One colour per cleanup kind, in CLEANUP_KINDS order; none is the colour of a series. */
const KIND_COLORS = ['#e377c2', '#bcbd22', '#17becf', '#9467bd'];

/** uPlot's script and styles, read once from node_modules and inlined: the page loads nothing. */
function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  const assets = { js: read('uPlot.iife.min.js'), css: read('uPlot.min.css') };
  if (/<\/(script|style)/i.test(assets.js + assets.css)) {
    throw new Error('uPlot assets contain a closing tag and cannot be inlined');
  }
  return assets;
}

/**
 * report.html: one self-contained page (uPlot inlined, data inlined as JSON) with the verdict,
 * the summary table and charts of RSS, heap, external memory, GC pauses and clients, each with
 * the cleanup events and the end of the warm-up marked on the time axis.
 */
export function renderReportHtml(input: ReportHtmlInput): string {
  const { summary: s, samples } = input;
  const { js, css } = uplotAssets();
  const col = (value: (x: Sample) => number | null, digits = 2) =>
    samples.map((x) => {
      const v = value(x);
      return v === null ? null : Number(v.toFixed(digits));
    });
  const fit = input.rssFit;
  const fitted = samples.map((x) =>
    fit && x.t >= s.warmup_seconds
      ? Number((fit.interceptMb + (fit.slopeMbPerHour * x.t) / 3600).toFixed(2))
      : null,
  );
  const data = {
    t: samples.map((x) => Number(x.t.toFixed(2))),
    warmupSeconds: s.warmup_seconds,
    kinds: CLEANUP_KINDS,
    kindColors: KIND_COLORS,
    events: input.events.map((e) => [Number(e.t.toFixed(2)), e.kind]),
    charts: [
      chart('RSS', 'MB', [
        { label: 'RSS', color: '#d62728', values: col((x) => x.rssMb) },
        { label: 'trend after warm-up', color: '#222', dash: [6, 4], values: fitted },
      ]),
      chart('Heap', 'MB', [
        { label: 'heap used', color: '#1f77b4', values: col((x) => x.heapUsedMb) },
        { label: 'heap total', color: '#aec7e8', values: col((x) => x.heapTotalMb) },
      ]),
      chart('External memory', 'MB', [
        { label: 'external', color: '#ff7f0e', values: col((x) => x.externalMb) },
      ]),
      chart('GC pauses', 'ms per second', [
        { label: 'GC pause', color: '#8c564b', values: col((x) => x.gcPauseMsPerSecond) },
      ]),
      chart(
        'Clients',
        'clients',
        [
          { label: 'connected (target)', color: '#2ca02c', values: col((x) => x.targetClients, 0) },
          { label: 'open (load generator)', color: '#98df8a', values: col((x) => x.loadClients, 0) },
        ],
        0,
      ),
    ],
  };
  const verdictClass = s.verdict.toLowerCase();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Soak report: ${s.verdict}</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>Soak report <span class="verdict ${verdictClass}">${s.verdict}</span>${s.status === 'completed' ? '' : ` <span class="status">${escapeHtml(s.status)}</span>`}</h1>
<p>${escapeHtml(s.verdict_reason)}</p>
${s.error ? `<p class="error">${escapeHtml(`${s.error.code}: ${s.error.message}`)}</p>` : ''}
</header>
${summaryTable(s)}
<p class="legend">Vertical lines: ${CLEANUP_KINDS.map(
    (k, i) =>
      `<span><i style="background:${KIND_COLORS[i]}"></i>${escapeHtml(k)} (${s.cleanup_events.by_kind[k] ?? 0})</span>`,
  ).join(' ')} <span><i class="dashed"></i>end of warm-up</span></p>
<div id="charts"></div>
<script>${js}</script>
<script id="soak-data" type="application/json">${inlineJson(data)}</script>
<script>${REPORT_PAGE_SCRIPT}</script>
</body>
</html>
`;
}

interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
  values: (number | null)[];
}

function chart(title: string, unit: string, series: ChartSeries[], digits = 2) {
  return { title, unit, series, digits };
}

/** JSON safe inside a script element: `<` never appears raw, so `</script>` cannot end it early. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function summaryTable(s: SoakSummary): string {
  const rows: [string, string][] = [
    [
      'Duration',
      `${s.duration_seconds} s of ${s.planned_duration_seconds} s planned; warm-up ${s.warmup_seconds} s`,
    ],
    [
      'Samples',
      `${s.samples.count} (${s.samples.after_warmup} after the warm-up, ${s.samples.dropped} dropped, ${s.samples.failed} failed)`,
    ],
    ['Bound', `${s.max_slope_mb_per_hour} MB/h on the RSS slope after the warm-up`],
    ['RSS', series(s.rss)],
    ['Heap used', series(s.heap_used)],
    ['External', series(s.external)],
    ['Runner RSS', series(s.runner_rss)],
    [
      'GC',
      s.gc
        ? `${s.gc.pause_ms_total} ms paused in total; at most ${s.gc.max_pause_ms_per_second} ms per second`
        : 'n/a',
    ],
    ['Cleanup events', `${s.cleanup_events.total}`],
    ['Target', target(s)],
    ['Load', load(s.load)],
  ];
  return `<table class="summary">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function series(x: SeriesJson | null): string {
  if (x === null) return 'n/a';
  const slope =
    x.slope_mb_per_hour === null
      ? 'no trend'
      : `robust slope ${x.robust_slope_mb_per_hour ?? 'n/a'} MB/h; least squares ${x.slope_mb_per_hour} MB/h${x.ci95 ? ` (95% CI ${x.ci95[0]} to ${x.ci95[1]})` : ''}, r² ${x.r2}`;
  return `peak ${x.peak_mb} MB, final ${x.final_mb} MB, steady ${x.steady_mb ?? 'n/a'} MB; ${slope}`;
}

function target(s: SoakSummary): string {
  const t = s.target;
  const exit = t.exit
    ? `; exited with ${t.exit.code ?? t.exit.signal}${t.exit.killed ? ' (killed)' : ''}`
    : '';
  return `${t.kind}${t.command ? ` (${t.command})` : ''}, pid ${t.pid ?? 'n/a'}, ${t.url ?? 'no URL'}${exit}`;
}

function load(l: Record<string, unknown>): string {
  const keys = ['clients_started', 'connected', 'auth_ok', 'market_data', 'bad_frames_sent', 'slow_clients'];
  return keys
    .map((k) => {
      const v = l[k];
      return `${k.replace(/_/g, ' ')} ${typeof v === 'number' ? v : 'n/a'}`;
    })
    .join(', ');
}

const PAGE_CSS = `
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 8px}
.verdict{padding:2px 10px;border-radius:4px;color:#fff}
.verdict.pass{background:#2ca02c}.verdict.fail{background:#d62728}.verdict.inconclusive{background:#ff7f0e}
.status{font-size:14px;color:#777}
.error{color:#d62728}
table.summary{border-collapse:collapse;margin:16px 0;font-size:14px}
table.summary th{text-align:left;padding:4px 16px 4px 0;vertical-align:top;white-space:nowrap}
table.summary td{padding:4px 0}
.legend{font-size:13px;color:#444}
.legend span{margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:14px;height:3px;margin-right:5px;vertical-align:middle}
.legend i.dashed{border-top:2px dashed #555;height:0}
#charts section{margin:12px 0}
`;
