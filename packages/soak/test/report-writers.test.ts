import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis.js';
import type { CleanupEvent } from '../src/cleanup-events.js';
import { parseCommandLine } from '../src/command-line.js';
import { ExitCode } from '../src/exit-codes.js';
import { renderChartSvg } from '../src/report/chart-svg.js';
import { buildSummary, SUMMARY_SCHEMA, type SoakSummary } from '../src/report/summary.js';
import { writeOutputs } from '../src/report/write-outputs.js';
import type { Sample } from '../src/sample.js';
import { rssSeries } from './support/samples.js';
import { tempDir } from './support/temp-dir.js';
import { assertWellFormedXml } from './support/well-formed-xml.js';

const SECRET_KEY = 'secret-api-key-0123';
/** A command that would break out of the page if it were not escaped. */
const HOSTILE_COMMAND = 'node x.js </script><script>alert(1)</script> & more';

function run(samples: Sample[], events: CleanupEvent[] = []): { summary: SoakSummary; samples: Sample[] } {
  const parsed = parseCommandLine([
    ...['--duration', '10m', '--warmup', '1m', '--max-slope', '10', '--target', HOSTILE_COMMAND],
    ...['--api-key', SECRET_KEY, '--admin-token', 'secret-admin-token-0123'],
  ]);
  assert.equal(parsed.kind, 'run');
  const options = parsed.options;
  const analysis = analyze(samples, options.warmupSeconds, options.maxSlopeMbPerHour);
  const summary = buildSummary({
    options,
    status: 'completed',
    error: null,
    exitCode: ExitCode.PASS,
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: new Date('2026-01-01T00:10:00Z'),
    durationSeconds: 600,
    analysis,
    samples: { count: samples.length, dropped: 0, failed: 0, ndjsonError: null },
    events,
    structures: new Map([['clients', { first: 0, last: 50, peak: 52 }]]),
    load: { connected: 120, market_data: 5000 },
    target: {
      kind: 'command',
      pid: 4242,
      url: 'http://127.0.0.1:8765',
      command: HOSTILE_COMMAND,
      exit: { code: 0, signal: null, killed: false },
      final_stats: null,
      probe_failures: {},
    },
  });
  return { summary, samples };
}

describe('summary.json', () => {
  it('holds the verdict, the series in MB and MB/h, the counts and the options, but no secret', () => {
    const events: CleanupEvent[] = [
      { t: 30, kind: 'orphan-cleanup', count: 2 },
      { t: 90, kind: 'orphan-cleanup', count: 1 },
      { t: 95, kind: 'task-sweep', count: 1 },
    ];
    const { summary } = run(rssSeries({ seconds: 600, baseMb: 120, slopeMbPerHour: 0, noiseMb: 1 }), events);
    const json = JSON.parse(JSON.stringify(summary)) as SoakSummary;
    assert.equal(json.schema, SUMMARY_SCHEMA);
    assert.equal(json.verdict, 'PASS');
    assert.equal(json.exit_code, 0);
    assert.equal(json.samples.count, 600);
    assert.equal(json.samples.after_warmup, 540);
    assert.equal(json.warmup_seconds, 60);
    assert.equal(json.max_slope_mb_per_hour, 10);
    assert.ok(json.rss && json.rss.peak_mb > 120 && json.rss.steady_mb !== null);
    assert.equal(typeof json.rss.slope_mb_per_hour, 'number');
    assert.ok(Array.isArray(json.rss.ci95) && json.rss.ci95[0] < json.rss.ci95[1]);
    assert.equal(typeof json.heap_used?.slope_mb_per_hour, 'number');
    assert.deepEqual(json.cleanup_events, {
      total: 4,
      by_kind: { 'memory-cleanup': 0, 'orphan-cleanup': 3, 'adapter-teardown': 0, 'task-sweep': 1 },
    });
    assert.deepEqual(json.structures, { clients: { first: 0, last: 50, peak: 52 } });
    assert.equal(json.target.exit?.code, 0);
    assert.equal(json.options.api_key, 'given');
    const text = JSON.stringify(summary);
    assert.ok(!text.includes(SECRET_KEY) && !text.includes('secret-admin-token'), 'secrets stay out');
  });

  it('writes null, not Infinity, for an interval that has no bounds', () => {
    const { summary } = run(rssSeries({ seconds: 63, baseMb: 100, slopeMbPerHour: 0, noiseMb: 1 }));
    assert.equal(summary.rss?.n, 3);
    assert.ok(summary.rss?.ci95 === null || summary.rss.ci95.every(Number.isFinite));
    const two = run(rssSeries({ seconds: 62, baseMb: 100, slopeMbPerHour: 0, noiseMb: 1 })).summary;
    assert.equal(two.rss?.slope_mb_per_hour, null);
    assert.equal(two.rss?.ci95, null);
    assert.equal(two.verdict, 'INCONCLUSIVE');
  });
});

describe('report files', () => {
  it('writes summary.json, a self-contained report.html and a valid chart.svg', async () => {
    const dir = await tempDir('report');
    try {
      const samples = rssSeries({ seconds: 600, baseMb: 120, slopeMbPerHour: 3, noiseMb: 1 });
      const { summary } = run(samples, [{ t: 100, kind: 'orphan-cleanup', count: 1 }]);
      const analysis = analyze(samples, 60, 10);
      await writeOutputs({
        outDir: dir.path,
        summary,
        samples,
        events: [],
        rssTrend: analysis.rss?.trend ?? null,
      });

      const written = JSON.parse(await readFile(join(dir.path, 'summary.json'), 'utf8')) as unknown;
      assert.deepEqual(written, JSON.parse(JSON.stringify(summary)));

      const html = await readFile(join(dir.path, 'report.html'), 'utf8');
      const uplot = readFileSync(
        createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'),
        'utf8',
      );
      assert.ok(html.startsWith('<!doctype html>'));
      assert.ok(html.includes(uplot), 'uPlot is inlined whole');
      assert.ok(
        !/<script[^>]*\ssrc=|<link\b|@import|url\(http/i.test(html),
        'nothing is loaded from elsewhere',
      );
      const data = /<script id="soak-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
      assert.ok(data, 'the data block is there');
      const parsed = JSON.parse(data) as {
        t: number[];
        charts: { title: string; series: { values: unknown[] }[] }[];
      };
      assert.equal(parsed.t.length, 600);
      assert.deepEqual(
        parsed.charts.map((c) => c.title),
        ['RSS', 'Heap', 'External memory', 'GC pauses', 'Clients'],
      );
      assert.ok(parsed.charts.every((c) => c.series.every((s) => s.values.length === 600)));
      assert.ok(!html.includes('<script>alert(1)'), 'text from the command line is escaped');

      const svg = await readFile(join(dir.path, 'chart.svg'), 'utf8');
      assert.equal(assertWellFormedXml(svg), 'svg');
      assert.ok(svg.includes('xmlns="http://www.w3.org/2000/svg"'));
      assert.equal((svg.match(/<path /g) ?? []).length, 2, 'RSS and heap used');
      assert.ok(svg.includes('stroke-dasharray'), 'the fitted line');
    } finally {
      await dir.remove();
    }
  });

  it('keeps the SVG small for a day of samples, peaks included', () => {
    const samples = rssSeries({ seconds: 86_400, baseMb: 200, slopeMbPerHour: 0, noiseMb: 2 });
    const spiked = samples.map((s) => (s.t === 43_210 ? { ...s, rssMb: 900 } : s));
    const svg = renderChartSvg({
      samples: spiked,
      warmupSeconds: 3600,
      rssTrend: null,
      title: 'a day & a night',
    });
    assertWellFormedXml(svg);
    assert.ok(svg.length < 250_000, `${svg.length} characters`);
    assert.ok(svg.includes('>1000<'), 'the axis reaches the 900 MB spike');
  });
});
