import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeIndices, type MarketIndices } from '../../src/indices/compute-indices.js';
import type { IndexPoint } from '../../src/indices/market-indices-service.js';
import { buildReport } from '../../src/reports/report-builder.js';
import { LARGE_FIELDS } from '../../src/reports/report-content.js';
import { LABELS } from '../../src/reports/report-i18n.js';
import type { Tick } from '../../src/domain/tick.js';
import { findAll, parseXml, textOf, type XmlElement } from '../support/xml.js';
import { quotedTick } from '../support/ticks.js';

const AT = Date.UTC(2025, 9, 20, 9, 30);
/** A symbol as an upstream could send it: the report must show it, never run it. */
const HOSTILE = `<img src=x onerror="alert('x')">&amp`;

const tick = (symbol: string, ltp: number, changePercent: number, volume: number): Tick =>
  quotedTick(symbol, ltp, changePercent, volume, AT);

/** Gainers +4 and +2, one loser at -1: bars of 224, 112 and 56 px (half width 320 - 36 - 60). */
const INDICES: MarketIndices = computeIndices(
  'SIM',
  [tick('C/USDT', 10, 4, 100), tick(HOSTILE, 100, 2, 10), tick('B/USDT', 50, -1, 60)],
  AT,
);
/** Five points from -1 to 2 (the zero line inside): x every 142 px from 36, y from 184 (min) to 36 (max). */
const HISTORY: IndexPoint[] = [-1, 0.5, 2, 1, -0.5].map((value, i) => ({
  at: AT - (4 - i) * 180_000,
  volume_weighted_change_pct: value,
  equal_weighted_change_pct: value,
  advancers: 1,
  decliners: 1,
}));

function charts(html: string): { line: XmlElement; bars: XmlElement } {
  const svgs = findAll(parseXml(html), 'svg');
  assert.equal(svgs.length, 2, 'a history chart and a movers chart');
  for (const svg of svgs) {
    assert.equal(svg.attributes.xmlns, 'http://www.w3.org/2000/svg');
    assert.equal(svg.attributes.viewBox, '0 0 640 220');
    assert.equal(findAll(svg, 'title').length, 1, 'each chart has a title for screen readers');
  }
  return { line: svgs[0] as XmlElement, bars: svgs[1] as XmlElement };
}

describe('buildReport', () => {
  const report = buildReport({ indices: INDICES, history: HISTORY, generatedAt: AT });

  it('writes the report in Vietnamese (html_content) and English (html_content_en)', () => {
    const vi = parseXml(report.html_content);
    const en = parseXml(report.html_content_en);
    assert.equal(findAll(vi, 'main')[0]?.attributes.lang, 'vi');
    assert.equal(findAll(en, 'main')[0]?.attributes.lang, 'en');
    assert.equal(findAll(vi, 'h1')[0]?.text, LABELS.vi.title);
    assert.equal(findAll(en, 'h1')[0]?.text, LABELS.en.title);
    for (const label of [LABELS.vi.weighted, LABELS.vi.breadth, LABELS.vi.gainers, LABELS.vi.losers]) {
      assert.ok(textOf(vi).includes(label), `Vietnamese report lacks "${label}"`);
      assert.equal(textOf(en).includes(label), false);
    }
    assert.ok(textOf(en).includes(LABELS.en.weighted));
    // Quote volumes 1000 (C), 1000 (the hostile symbol), 3000 (B): (4 x 1000 + 2 x 1000 - 1 x 3000) / 5000.
    assert.ok(textOf(vi).includes('+0.6%'), 'the volume-weighted change');
    assert.equal(report.title, 'Market report 2025-10-20 09:30 UTC');
    assert.deepEqual(report.summary, {
      exchange: 'SIM',
      constituents: 3,
      volume_weighted_change_pct: INDICES.volume_weighted_change_pct,
      advancers: 2,
      decliners: 1,
      top_gainer: 'C/USDT',
      top_loser: 'B/USDT',
    });
  });

  it('draws the history as one path through every point, scaled to the chart', () => {
    for (const html of [report.html_content, report.html_content_en]) {
      const paths = findAll(charts(html).line, 'path');
      assert.equal(paths.length, 1);
      assert.equal(paths[0]?.attributes.d, 'M36.0,184.0 L178.0,110.0 L320.0,36.0 L462.0,85.3 L604.0,159.3');
      const zero = findAll(charts(html).line, 'line')[0];
      assert.equal(zero?.attributes.y1, '134.7', 'the zero line: 184 - 1/3 x 148');
    }
  });

  it('draws one bar per mover, green right of the axis for gains, red left for losses', () => {
    const rects = findAll(charts(report.html_content).bars, 'rect');
    assert.deepEqual(
      rects.map((r) => [r.attributes.class, r.attributes.x, r.attributes.width]),
      [
        ['up', '320.0', '224.0'],
        ['up', '320.0', '112.0'],
        ['down', '264.0', '56.0'],
      ],
    );
    const labels = findAll(charts(report.html_content).bars, 'text').map((t) => t.text);
    for (const expected of ['C/USDT', HOSTILE, 'B/USDT', '4.00%', '2.00%', '-1.00%']) {
      assert.ok(labels.includes(expected), `no bar label ${expected}`);
    }
  });

  it('escapes user-controlled text: a symbol with markup shows as text, never as an element', () => {
    for (const html of [report.html_content, report.html_content_en]) {
      assert.equal(html.includes('<img'), false);
      const tree = parseXml(html);
      assert.equal(findAll(tree, 'img').length, 0);
      const cells = findAll(tree, 'td').map((td) => td.text);
      assert.ok(cells.includes(HOSTILE), 'the mover table shows the symbol as it is');
    }
  });

  it('fills the css and js fields, and loads nothing from anywhere', () => {
    for (const field of LARGE_FIELDS) assert.ok(report[field].length > 0, `${field} is empty`);
    assert.ok(report.js_content.includes("'en'"), 'the Vietnamese page links to the English one');
    assert.ok(report.js_content_en.includes("'vi'"), 'and back');
    for (const field of LARGE_FIELDS) {
      const urls = report[field].match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
      assert.deepEqual(
        urls.filter((u) => u !== 'http://www.w3.org/2000/svg'),
        [],
        `${field} names a URL (the SVG namespace is a name, not a load)`,
      );
      assert.doesNotMatch(report[field], /@import|url\(|\bfetch\(|\bimport\(/);
    }
    for (const html of [report.html_content, report.html_content_en]) {
      const elements = findAll(parseXml(html), '*');
      const linking = elements.filter((e) =>
        Object.keys(e.attributes).some((a) => /^(?:src|href|xlink:href)$/.test(a)),
      );
      assert.deepEqual(linking, [], 'no element refers to anything');
      assert.deepEqual(
        elements.filter((e) =>
          ['script', 'link', 'img', 'iframe', 'object', 'use', 'image'].includes(e.name),
        ),
        [],
      );
    }
  });

  it('builds a valid report saying there is no data when no indices were computed yet', () => {
    const empty = buildReport({ indices: null, history: [], generatedAt: AT });
    assert.ok(textOf(parseXml(empty.html_content)).includes(LABELS.vi.noData));
    assert.ok(textOf(parseXml(empty.html_content_en)).includes(LABELS.en.noData));
    assert.equal(findAll(parseXml(empty.html_content), 'svg').length, 0);
    assert.deepEqual(empty.summary, { constituents: 0 });
  });
});
