// The three live charts (uPlot, loaded as a global by index.html), redrawn on every sample.
const MB = 1024 * 1024;
const charts = {};

function chart(id, series, height, yRange = undefined) {
  const element = document.getElementById(id);
  const options = {
    width: Math.max(320, element.clientWidth),
    height,
    series: [{}, ...series],
    axes: [{}, { size: 60 }],
    scales: { x: { time: true }, ...(yRange ? { y: { range: yRange } } : {}) },
  };
  return new window.uPlot(options, [[], ...series.map(() => [])], element);
}

export function createCharts() {
  const dashed = [6, 4];
  charts.memory = chart(
    'memory-chart',
    [
      { label: 'RSS', stroke: '#0969da', width: 2 },
      { label: 'Heap used', stroke: '#1a7f37', width: 2 },
      { label: 'Heap total', stroke: '#8c959f' },
      { label: 'External', stroke: '#8250df' },
      { label: 'Warning', stroke: '#bf8700', dash: dashed },
      { label: 'Cleanup', stroke: '#bc4c00', dash: dashed },
      { label: 'Critical', stroke: '#cf222e', dash: dashed },
    ],
    220,
    memoryRange,
  );
  charts.gc = chart(
    'gc-chart',
    [{ label: 'GC pause ms/s', stroke: '#cf222e', fill: 'rgba(207,34,46,0.15)' }],
    160,
  );
  charts.clients = chart(
    'clients-chart',
    [
      { label: 'Clients', stroke: '#0969da', width: 2 },
      { label: 'Adapters', stroke: '#1a7f37', width: 2 },
      { label: 'Subscriptions', stroke: '#8250df' },
    ],
    160,
  );
  addEventListener('resize', () => {
    for (const [id, c] of Object.entries(charts)) {
      c.setSize({
        width: Math.max(320, document.getElementById(`${id}-chart`).clientWidth),
        height: c.height,
      });
    }
  });
}

/**
 * The memory chart's y range: the data with some headroom, stretched to a threshold only when it
 * is near (within twice the data), so thresholds derived from a multi-GB heap limit do not flatten
 * a 100 MB process into a line at the bottom. The numbers box and the legend still show them.
 */
function memoryRange(u) {
  const [, rss, , heapTotal, external, ...limits] = u.data;
  let top = 0;
  for (const series of [rss, heapTotal, external]) for (const v of series) top = Math.max(top, v);
  const near = limits.map((line) => line[0]).filter((t) => typeof t === 'number' && t <= top * 2);
  return [0, Math.max(top * 1.25, ...near.map((t) => t * 1.05), 1)];
}

export function drawCharts(samples, thresholds) {
  const t = samples.map((s) => s.t / 1000);
  const line = (value) => samples.map(() => (value === undefined ? null : value / MB));
  charts.memory.setData([
    t,
    samples.map((s) => s.rss / MB),
    samples.map((s) => s.heapUsed / MB),
    samples.map((s) => s.heapTotal / MB),
    samples.map((s) => s.external / MB),
    line(thresholds?.warning),
    line(thresholds?.cleanup),
    line(thresholds?.critical),
  ]);
  charts.gc.setData([t, samples.map((s) => s.gcPauseMs)]);
  charts.clients.setData([
    t,
    samples.map((s) => s.clients),
    samples.map((s) => s.adapters),
    samples.map((s) => s.subscriptions),
  ]);
}
