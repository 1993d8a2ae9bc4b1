import type { Browser, Page } from 'playwright-core';

export interface DashboardPage {
  page: Page;
  /** Page errors and console errors: a test ends by asserting there were none. */
  problems: string[];
  /** Every console message, to check that the page never logs the token. */
  messages: string[];
}

/** Opens the dashboard at `path` (e.g. `/?token=...`) in a fresh page of `browser`. */
export async function openDashboard(
  browser: Browser,
  baseUrl: string,
  path: string,
  viewport = { width: 1400, height: 1000 },
): Promise<DashboardPage> {
  // bypassCSP lets the test evaluate its checks; the page itself runs under its strict CSP.
  const page = await browser.newPage({ viewport, bypassCSP: true });
  const problems: string[] = [];
  const messages: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    messages.push(message.text());
    // The browser reports every refused or failed request as a console error; the page expects
    // those (a wrong token, a full or stopped gateway) and shows them itself.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) {
      problems.push(message.text());
    }
  });
  await page.goto(`${baseUrl}${path}`);
  return { page, problems, messages };
}

/**
 * A browser function `(selector, hex) => count`: how many pixels of the canvas inside `selector`
 * have the colour `hex`, within a small distance (antialiasing blends a line's edges). Source text:
 * the tests are compiled without the DOM's types.
 */
const COUNT_PIXELS = `(selector, hex) => {
  const canvas = document.querySelector(selector + ' canvas');
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const want = hex.match(/[0-9a-f]{2}/gi).map((h) => parseInt(h, 16));
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    const distance = Math.abs(data[i] - want[0]) + Math.abs(data[i + 1] - want[1]) + Math.abs(data[i + 2] - want[2]);
    if (data[i + 3] > 200 && distance < 40) count++;
  }
  return count;
}`;

export function countColouredPixels(page: Page, selector: string, hex: string): Promise<number> {
  return page.evaluate<number>(`(${COUNT_PIXELS})(${JSON.stringify(selector)}, ${JSON.stringify(hex)})`);
}

/** Waits until the canvas inside `selector` shows more than `atLeast` pixels of colour `hex`. */
export async function waitForColouredPixels(
  page: Page,
  selector: string,
  hex: string,
  atLeast: number,
  timeout = 20_000,
): Promise<void> {
  const count = `(${COUNT_PIXELS})(${JSON.stringify(selector)}, ${JSON.stringify(hex)})`;
  await page.waitForFunction(`${count} > ${atLeast}`, undefined, { timeout });
}
