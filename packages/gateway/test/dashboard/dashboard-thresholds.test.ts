import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxOf, inside, type Box } from '../support/boxes.js';
import { launchChromium } from '../support/browser.js';
import { openDashboard } from '../support/dashboard-page.js';
import { startTestGateway, TEST_ADMIN_TOKEN } from '../support/test-gateway.js';

const centre = (box: Box) => box.x + box.width / 2;

describe('dashboard memory thresholds in a real browser', () => {
  it('shows RSS against the warning, cleanup and critical thresholds derived from the limit', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    // No *_MEMORY_MB: the thresholds are the defaults, 75 / 87.5 / 100 % of the heap or container
    // limit, gigabytes above this process's RSS.
    const { gateway } = await startTestGateway({ MEMORY_CHECK_INTERVAL: '0.5' });
    try {
      const { page, problems } = await openDashboard(browser, gateway.url, `/?token=${TEST_ADMIN_TOKEN}`);
      const bar = page.locator('#headroom .headroom-bar');
      await bar.waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForFunction(`/%/.test(document.getElementById('headroom-text').textContent)`);
      const barBox = await boxOf(bar);

      const marks: Box[] = [];
      for (const name of ['warning', 'cleanup', 'critical']) {
        const mark = page.locator(`#headroom .mark.${name}`);
        assert.ok(await mark.isVisible(), `the ${name} mark is shown`);
        const box = await boxOf(mark);
        assert.ok(box.width >= 1 && box.height >= 1, `the ${name} mark has a size`);
        assert.ok(inside(box, barBox), `the ${name} mark lies inside the bar`);
        marks.push(box);
      }
      const [warning, cleanup, critical] = marks.map(centre) as [number, number, number];
      assert.ok(warning < cleanup && cleanup < critical, 'warning, cleanup, critical from left to right');
      // Drawn to scale: the default thresholds are 75 % and 87.5 % of the critical one.
      const at = (x: number) => (x - barBox.x) / (critical - barBox.x);
      assert.ok(Math.abs(at(warning) - 0.75) < 0.02, `warning drawn at ${at(warning)} of critical`);
      assert.ok(Math.abs(at(cleanup) - 0.875) < 0.02, `cleanup drawn at ${at(cleanup)} of critical`);

      // RSS, a few hundred MB at most here, fills a visible part of the bar short of the warning.
      const fill = await boxOf(page.locator('#headroom .headroom-fill'));
      assert.ok(fill.width >= 1, 'the RSS fill is visible');
      assert.ok(fill.x + fill.width < warning, 'RSS is drawn below the warning threshold');
      assert.ok(inside(fill, barBox));
      assert.match(
        (await page.textContent('#headroom-text')) ?? '',
        /RSS \d+(\.\d)? MB is \d+(\.\d)?% of the critical \d+ MB/,
      );
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await gateway.close();
    }
  });
});
