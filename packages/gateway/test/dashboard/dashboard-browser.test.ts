import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { launchChromium } from '../support/browser.js';
import { startTestGateway, TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

const OUTPUT = fileURLToPath(new URL('../../../../../test-output/', import.meta.url));

describe('live dashboard in a real browser', () => {
  it('loads, draws its charts, updates its values and renders the tables', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const { gateway } = await startTestGateway({ SIM_TICKS_PER_SECOND: '10', MEMORY_CHECK_INTERVAL: '0.5' });
    const client = await TestClient.connect(gateway.wsUrl);
    try {
      await client.authenticate(TEST_API_KEYS[0]);
      await client.request(
        {
          action: 'subscribe',
          symbols: [
            { symbol: 'BTC/USDT', exchange: 'SIM' },
            { symbol: 'ETH/USDT', exchange: 'SIM' },
          ],
        },
        'subscribe',
      );
      // A cleanup in the history table, as an operator would trigger it.
      await client.request(
        { action: 'force_memory_cleanup', admin_token: TEST_ADMIN_TOKEN },
        'memory_cleanup_result',
      );

      // bypassCSP lets the test evaluate its checks; the page itself runs under its strict CSP.
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(`${gateway.url}/?token=${TEST_ADMIN_TOKEN}`);
      // Browser-side code as strings: the test is compiled without the DOM's types.
      await page.waitForFunction('Number(document.body.dataset.samples ?? 0) >= 2', undefined, {
        timeout: 15_000,
      });
      await page.waitForFunction('Number(document.body.dataset.snapshots ?? 0) >= 1', undefined, {
        timeout: 15_000,
      });

      // Every chart drew something: its canvas has painted pixels.
      const painted = await page.evaluate<
        number[]
      >(`[...document.querySelectorAll('canvas')].map((canvas) => {
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let count = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
        return count;
      })`);
      assert.equal(painted.length, 3, 'three charts');
      for (const pixels of painted) assert.ok(pixels > 100, `a chart painted only ${pixels} pixels`);

      // Values update over a few seconds.
      const before = await page.evaluate<number>('Number(document.body.dataset.samples)');
      await page.waitForFunction(`Number(document.body.dataset.samples) >= ${before + 2}`, undefined, {
        timeout: 15_000,
      });
      assert.match((await page.textContent('#rss-value')) ?? '', /^\d+\.\d MB$/);
      assert.equal(await page.textContent('#clients-value'), '1');
      assert.match((await page.textContent('#level')) ?? '', /^(OK|WARNING|HIGH|CRITICAL)$/);

      // The tables: the cleanup just forced, structures with their capacities, the SIM adapter.
      assert.ok((await page.locator('#cleanups tbody tr').count()) >= 1);
      assert.ok((await page.locator('#structures tbody tr').count()) >= 5);
      assert.match((await page.textContent('#adapters tbody')) ?? '', /SIM/);
      assert.deepEqual(problems, []);

      await mkdir(OUTPUT, { recursive: true });
      await page.screenshot({ path: `${OUTPUT}dashboard.png`, fullPage: true });
    } finally {
      await client.close();
      await browser.close();
      await gateway.close();
    }
  });

  it('asks for the token when none is given, and the stream refuses a wrong one', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const { gateway } = await startTestGateway();
    try {
      const page = await browser.newPage();
      await page.goto(`${gateway.url}/`);
      await page.waitForSelector('#token-form:not([hidden])');
      const refused = await fetch(`${gateway.url}/api/dashboard/stream?token=wrong-token-0000000000`);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    } finally {
      await browser.close();
      await gateway.close();
    }
  });
});
