import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inside, settledBoxes } from '../support/boxes.js';
import { launchChromium } from '../support/browser.js';
import { openDashboard } from '../support/dashboard-page.js';
import { startTestGateway, TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

const CLEANUPS = 3;

describe('dashboard cleanup history in a real browser', () => {
  it('keeps the table inside its panel at a wide and a narrow width', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const { gateway } = await startTestGateway();
    const client = await TestClient.connect(gateway.wsUrl);
    try {
      await client.authenticate(TEST_API_KEYS[0]);
      // Cleanups as an operator would force them: every callback's result lands in the table.
      for (let i = 0; i < CLEANUPS; i++) {
        await client.request(
          { action: 'force_memory_cleanup', admin_token: TEST_ADMIN_TOKEN },
          'memory_cleanup_result',
        );
      }
      const { page, problems } = await openDashboard(browser, gateway.url, `/?token=${TEST_ADMIN_TOKEN}`);
      await page.waitForFunction(
        `document.querySelectorAll('#cleanups tbody tr').length >= ${CLEANUPS}`,
        undefined,
        { timeout: 20_000 },
      );

      for (const width of [1400, 800]) {
        await page.setViewportSize({ width, height: 1000 });
        // The panel, the table and the first callbacks cell, read together once the page settled.
        const [panel, table, callbacks] = await settledBoxes(page, [
          '.tables > div:has(#cleanups)',
          '#cleanups',
          '#cleanups tr.callbacks td',
        ]);
        assert.ok(panel.x + panel.width <= width, `the panel fits the ${width} px window`);
        assert.ok(inside(table, panel), `the table lies inside its panel at ${width} px`);
        // What each callback freed is still on screen, inside the panel.
        assert.match(callbacks.text, /orphaned-symbols/);
        assert.ok(callbacks.width > 0 && callbacks.height > 0, 'the callbacks are shown');
        assert.ok(inside(callbacks, panel), `the callbacks lie inside the panel at ${width} px`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await client.close();
      await browser.close();
      await gateway.close();
    }
  });
});
