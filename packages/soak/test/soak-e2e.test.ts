import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SoakSummary } from '../src/report/summary.js';
import { CLI } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';
import { assertWellFormedXml } from './support/well-formed-xml.js';

/**
 * A freshly started Node process is still growing into its working size 10 s in: heap spaces
 * expand, code is compiled, sockets and buffers are pooled. Extrapolated to an hour, the 20 s
 * after this run's warm-up can read several thousand MB/h for a service that is flat over a
 * day, so this test's bound only catches a runaway (over 5 MB a second). Whether the gateway is
 * flat is for the long reference soak; this test proves the runner end to end.
 */
const SHORT_RUN_MAX_SLOPE = '20000';

describe('steadystate-soak end to end', () => {
  it('soaks the built gateway for 30 s and writes a passing summary, the report and the chart', async () => {
    const dir = await tempDir('e2e');
    try {
      const child = spawn(
        process.execPath,
        [
          CLI,
          ...['--profile', 'gateway', '--duration', '30s', '--accelerate', '--clients', '50'],
          ...[
            '--max-slope',
            SHORT_RUN_MAX_SLOPE,
            '--scan-every',
            '5',
            '--report-every',
            '10',
            '--out',
            dir.path,
          ],
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, stderr);
      assert.match(stderr, /soak \d+s\/30s {2}clients/, 'a progress line');

      const summary = JSON.parse(await readFile(join(dir.path, 'summary.json'), 'utf8')) as SoakSummary;
      assert.equal(summary.status, 'completed');
      assert.equal(summary.verdict, 'PASS');
      assert.equal(summary.exit_code, 0);
      assert.deepEqual(
        summary.target.exit,
        { code: 0, signal: null, killed: false },
        'the gateway exited 0 on SIGTERM',
      );
      assert.ok(summary.samples.count >= 20, `${summary.samples.count} samples`);
      assert.ok(summary.samples.after_warmup >= 10);
      assert.ok(summary.rss && summary.rss.peak_mb > 0 && summary.rss.slope_mb_per_hour !== null);
      assert.ok(summary.heap_used && summary.heap_used.peak_mb > 0, 'heap read from /metrics');
      assert.ok(
        summary.target.final_stats && summary.target.final_stats.clients !== null,
        'clients read from /stats',
      );
      assert.ok(
        summary.cleanup_events.by_kind['orphan-cleanup']! > 0,
        'accelerated orphan sweeps were marked',
      );
      const load = summary.load as { connected: number; market_data: number; bad_frames_sent: number };
      assert.ok(load.connected > 50, 'clients were replaced');
      assert.ok(load.market_data > 0 && load.bad_frames_sent > 0);

      const ndjson = (await readFile(join(dir.path, 'samples.ndjson'), 'utf8')).trim().split('\n');
      assert.equal(ndjson.length, summary.samples.count);
      const html = await readFile(join(dir.path, 'report.html'), 'utf8');
      assert.ok(html.includes('uPlot') && html.includes('id="soak-data"'));
      assert.equal(assertWellFormedXml(await readFile(join(dir.path, 'chart.svg'), 'utf8')), 'svg');
    } finally {
      await dir.remove();
    }
  });
});
