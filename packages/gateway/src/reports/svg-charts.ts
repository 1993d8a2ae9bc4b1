/** Small inline SVG charts for reports: no scripts, no external assets, readable without JS. */
import { html, type SafeHtml } from '../html/html.js';

const WIDTH = 640;
const HEIGHT = 220;
const PAD = 36;

/** A line chart of `values` over time, with a zero line when the values cross it. */
export function lineChart(points: readonly { at: number; value: number }[], title: string): SafeHtml {
  if (points.length === 0) return emptyChart(title);
  const values = points.map((p) => p.value);
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  const span = max - min || 1;
  const x = (i: number) =>
    PAD + (points.length === 1 ? (WIDTH - 2 * PAD) / 2 : (i * (WIDTH - 2 * PAD)) / (points.length - 1));
  const y = (v: number) => HEIGHT - PAD - ((v - min) / span) * (HEIGHT - 2 * PAD);
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const zero = y(0).toFixed(1);
  const first = new Date(points[0]?.at ?? 0).toISOString().slice(11, 16);
  const last = new Date(points[points.length - 1]?.at ?? 0).toISOString().slice(11, 16);
  const labels = [
    label(PAD, HEIGHT - 8, `${first} UTC`, 'start'),
    label(WIDTH - PAD, HEIGHT - 8, `${last} UTC`, 'end'),
    label(4, y(max) + 4, `${max.toFixed(2)}%`, 'start'),
    label(4, y(min) + 4, `${min.toFixed(2)}%`, 'start'),
  ];
  return svg(
    title,
    html`<line x1="${PAD}" y1="${zero}" x2="${WIDTH - PAD}" y2="${zero}" class="axis"/><path d="${path}" class="line" fill="none"/>${labels}`,
  );
}

/** Horizontal bars, green for positive values and red for negative ones. */
export function barChart(items: readonly { label: string; value: number }[], title: string): SafeHtml {
  if (items.length === 0) return emptyChart(title);
  const extent = Math.max(...items.map((i) => Math.abs(i.value))) || 1;
  const rowHeight = (HEIGHT - 2 * PAD) / items.length;
  const middle = WIDTH / 2;
  const bars = items.map((item, i) => {
    const length = (Math.abs(item.value) / extent) * (WIDTH / 2 - PAD - 60);
    const top = PAD + i * rowHeight + 2;
    const left = item.value >= 0 ? middle : middle - length;
    return [
      html`<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${length.toFixed(1)}" height="${(rowHeight - 4).toFixed(1)}" class="${item.value >= 0 ? 'up' : 'down'}"/>`,
      label(
        item.value >= 0 ? middle - 6 : middle + 6,
        top + rowHeight / 2 + 2,
        item.label,
        item.value >= 0 ? 'end' : 'start',
      ),
      label(
        item.value >= 0 ? middle + length + 4 : middle - length - 4,
        top + rowHeight / 2 + 2,
        `${item.value.toFixed(2)}%`,
        item.value >= 0 ? 'start' : 'end',
      ),
    ];
  });
  return svg(
    title,
    html`<line x1="${middle}" y1="${PAD}" x2="${middle}" y2="${HEIGHT - PAD}" class="axis"/>${bars}`,
  );
}

function svg(title: string, body: SafeHtml): SafeHtml {
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}"><title>${title}</title>${label(PAD, 20, title, 'start', 'title')}${body}</svg>`;
}

function emptyChart(title: string): SafeHtml {
  return svg(title, label(WIDTH / 2, HEIGHT / 2, '—', 'middle'));
}

function label(
  x: number,
  y: number,
  text: string,
  anchor: 'start' | 'middle' | 'end',
  cls = 'label',
): SafeHtml {
  return html`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" class="${cls}">${text}</text>`;
}
