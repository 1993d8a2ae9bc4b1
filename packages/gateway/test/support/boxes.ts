import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

/** An element's bounding box on the page, in CSS pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  assert.ok(box, 'the element is rendered');
  return box;
}

/** Whether `inner` lies within `outer`, allowing half a pixel for subpixel layout. */
export function inside(inner: Box, outer: Box): boolean {
  return (
    inner.x >= outer.x - 0.5 &&
    inner.y >= outer.y - 0.5 &&
    inner.x + inner.width <= outer.x + outer.width + 0.5 &&
    inner.y + inner.height <= outer.y + outer.height + 0.5
  );
}

/**
 * A browser function `(selectors) => Promise<Array<Box & { text: string }>>`: the boxes of the
 * first element matching each selector, read in one frame once the layout has stopped moving (the
 * same boxes three frames in a row). A resize reflows the page over several frames (the charts
 * resize on the window's `resize` event, which may add or remove a scrollbar), so boxes read one
 * by one between those frames can disagree. Source text: the tests are compiled without the DOM's
 * types.
 */
const SETTLED_BOXES = `async (selectors) => {
  const read = () => selectors.map((selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const { x, y, width, height } = element.getBoundingClientRect();
    return { x, y, width, height, text: element.textContent ?? '' };
  });
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  let last = JSON.stringify(read());
  for (let same = 0; same < 3; ) {
    await frame();
    const now = JSON.stringify(read());
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return JSON.parse(last);
}`;

/** An element's box with its text, as SETTLED_BOXES reads it. */
export type LaidOutBox = Box & { text: string };

/** The boxes of `selectors` (first match of each) in one settled frame; see SETTLED_BOXES. */
export async function settledBoxes<const S extends readonly string[]>(
  page: Page,
  selectors: S,
): Promise<{ [K in keyof S]: LaidOutBox }> {
  const boxes = await page.evaluate<Array<LaidOutBox | null>>(
    `(${SETTLED_BOXES})(${JSON.stringify(selectors)})`,
  );
  boxes.forEach((box, i) => assert.ok(box, `${selectors[i]} is rendered`));
  return boxes as { [K in keyof S]: LaidOutBox };
}
