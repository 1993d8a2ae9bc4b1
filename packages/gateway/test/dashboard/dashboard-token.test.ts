import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { launchChromium } from '../support/browser.js';
import { countColouredPixels, openDashboard, waitForColouredPixels } from '../support/dashboard-page.js';
import { startTestGateway, TEST_ADMIN_TOKEN } from '../support/test-gateway.js';

const RSS_BLUE = '#0969da';
const WAIT = { timeout: 20_000 };

describe('dashboard connection states in a real browser', () => {
  it('says the token was refused, and connects with the one entered in the form', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const { gateway } = await startTestGateway({ MEMORY_CHECK_INTERVAL: '0.5' });
    try {
      const { page, problems, messages } = await openDashboard(
        browser,
        gateway.url,
        '/?token=wrong-token-0000000000',
      );
      await page.locator('#token-form').waitFor({ state: 'visible', ...WAIT });
      assert.match((await page.textContent('#connection')) ?? '', /token refused/);
      assert.ok(await page.locator('#token-error').isVisible(), 'the form says why it is shown');
      assert.equal(await countColouredPixels(page, '#memory-chart', RSS_BLUE), 0, 'no data drawn');
      assert.doesNotMatch(page.url(), /token=/, 'the token left the address bar');

      await page.fill('#token-input', TEST_ADMIN_TOKEN);
      await page.click('#token-form button[type=submit]');
      await page.locator('#token-form').waitFor({ state: 'hidden', ...WAIT });
      await page.waitForFunction(
        `document.getElementById('connection').textContent === 'live'`,
        undefined,
        WAIT,
      );
      await page.waitForFunction(`/^\\d+\\.\\d MB$/.test(document.getElementById('rss-value').textContent)`);

      // The RSS line is drawn, and the chart keeps changing as samples arrive.
      await waitForColouredPixels(page, '#memory-chart', RSS_BLUE, 20);
      await page.evaluate(`window.firstChart = document.querySelector('#memory-chart canvas').toDataURL()`);
      await page.waitForFunction(
        `document.querySelector('#memory-chart canvas').toDataURL() !== window.firstChart`,
        undefined,
        WAIT,
      );
      assert.ok(!messages.some((m) => m.includes(TEST_ADMIN_TOKEN)), 'the token is never logged');
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await gateway.close();
    }
  });

  it('says when too many dashboards are open, and connects once one closes', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const { gateway } = await startTestGateway();
    const others = new AbortController();
    try {
      // Fill every dashboard slot (the gateway allows 20) from here.
      for (let opened = 0; opened <= 100; opened++) {
        const response = await fetch(`${gateway.url}/api/dashboard/stream?token=${TEST_ADMIN_TOKEN}`, {
          signal: others.signal,
        });
        if (response.status === 503) break;
        assert.equal(response.status, 200);
      }
      const { page, problems } = await openDashboard(browser, gateway.url, `/?token=${TEST_ADMIN_TOKEN}`);
      await page.waitForFunction(
        `/too many dashboards/.test(document.getElementById('connection').textContent)`,
        undefined,
        WAIT,
      );
      assert.ok(await page.locator('#token-form').isHidden(), 'the token was right: no form');

      others.abort();
      await page.waitForFunction(`document.getElementById('connection').textContent === 'live'`, undefined, {
        timeout: 40_000,
      });
      assert.deepEqual(problems, []);
    } finally {
      others.abort();
      await browser.close();
      await gateway.close();
    }
  });

  it('says reconnecting when the gateway is gone', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const { gateway } = await startTestGateway();
    try {
      const { page } = await openDashboard(browser, gateway.url, `/?token=${TEST_ADMIN_TOKEN}`);
      await page.waitForFunction(
        `document.getElementById('connection').textContent === 'live'`,
        undefined,
        WAIT,
      );
      await gateway.close();
      await page.waitForFunction(
        `document.getElementById('connection').textContent === 'reconnecting…'`,
        undefined,
        WAIT,
      );
      assert.ok(await page.locator('#token-form').isHidden());
    } finally {
      await browser.close();
      await gateway.close();
    }
  });
});
