import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { launchChromium } from '../support/browser.js';
import { FAST_CLUSTER_ENV, startClusterNodes } from '../support/cluster-nodes.js';
import { openDashboard } from '../support/dashboard-page.js';
import { startNatsServer } from '../support/nats-server.js';
import { startTestGateway, TEST_ADMIN_TOKEN } from '../support/test-gateway.js';

describe('dashboard of a cluster node in a real browser', () => {
  it('lists every node of the cluster, marks this one and shows which holds the exchange', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const nats = await startNatsServer(t);
    if (!nats) return;
    const { cluster, nodes } = await startClusterNodes(t, nats.url, 1);
    const { gateway } = await startTestGateway({
      NATS_URL: nats.url,
      NODE_ID: 'watched',
      CLUSTER_NAME: cluster,
      ...FAST_CLUSTER_ENV,
    });
    try {
      const { page, problems } = await openDashboard(browser, gateway.url, `/?token=${TEST_ADMIN_TOKEN}`);
      await page.waitForFunction(`document.querySelectorAll('#nodes tbody tr').length === 2`, undefined, {
        timeout: 20_000,
      });
      assert.ok(await page.locator('#cluster-panel').isVisible());
      const names = await page.locator('#nodes tbody tr td:first-child').allTextContents();
      assert.deepEqual(names.sort(), [nodes[0]!.nodeId, 'watched (this one)'].sort());
      // The first node took the SIM lease before this one started.
      const holder = page.locator('#nodes tbody tr', { hasText: nodes[0]!.nodeId }).locator('td').nth(3);
      assert.match((await holder.textContent()) ?? '', /^SIM \d+ s$/);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await gateway.close();
    }
  });

  it('shows no cluster panel in a single process', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const { gateway } = await startTestGateway();
    try {
      const { page } = await openDashboard(browser, gateway.url, `/?token=${TEST_ADMIN_TOKEN}`);
      await page.waitForFunction(`Number(document.body.dataset.snapshots ?? 0) >= 1`, undefined, {
        timeout: 20_000,
      });
      assert.equal(await page.locator('#cluster-panel').isVisible(), false);
    } finally {
      await browser.close();
      await gateway.close();
    }
  });
});
