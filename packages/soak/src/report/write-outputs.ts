import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Trend } from '../analysis.js';
import type { CleanupEvent } from '../cleanup-events.js';
import type { Sample } from '../sample.js';
import { renderChartSvg } from './chart-svg.js';
import { renderReportHtml } from './report-html.js';
import { OUTPUT_FILES, type SoakSummary } from './summary.js';

export interface OutputsInput {
  outDir: string;
  summary: SoakSummary;
  samples: readonly Sample[];
  events: readonly CleanupEvent[];
  rssTrend: Trend | null;
}

/** Writes summary.json, report.html and chart.svg into the output folder. */
export async function writeOutputs(o: OutputsInput): Promise<void> {
  const { summary: s } = o;
  const slope = s.rss?.robust_slope_mb_per_hour;
  const trend =
    slope === null || slope === undefined
      ? 'has no trend'
      : `robust slope ${slope >= 0 ? '+' : ''}${slope.toFixed(1)} MB/h`;
  const title = `${s.verdict}: RSS ${trend} after the warm-up (bound ${s.max_slope_mb_per_hour} MB/h)`;
  await Promise.all([
    writeFile(join(o.outDir, OUTPUT_FILES.summary), `${JSON.stringify(s, null, 2)}\n`),
    writeFile(
      join(o.outDir, OUTPUT_FILES.report),
      renderReportHtml({ summary: s, samples: o.samples, events: o.events, rssFit: o.rssTrend }),
    ),
    writeFile(
      join(o.outDir, OUTPUT_FILES.chart),
      renderChartSvg({ samples: o.samples, warmupSeconds: s.warmup_seconds, rssTrend: o.rssTrend, title }),
    ),
  ]);
}
