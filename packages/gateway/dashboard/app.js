// The live memory dashboard: charts and tables fed by the gateway's stats stream (Server-Sent
// Events). Plain browser JavaScript, no build step; uPlot is served by the gateway itself.
const MB = 1024 * 1024;
const KEEP = 600; // samples on the charts: ten minutes at one a second

const samples = [];
let thresholds = null;
const charts = {};

function token() {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem('steadystate-token', fromUrl);
  return fromUrl ?? sessionStorage.getItem('steadystate-token');
}

function askForToken() {
  const form = document.getElementById('token-form');
  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('steadystate-token', document.getElementById('token-input').value);
    location.reload();
  });
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

function mb(bytes) {
  return `${(bytes / MB).toFixed(1)} MB`;
}

function chart(id, series, height = 220, yRange = undefined) {
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

function createCharts() {
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
}

/**
 * The memory chart's y range: the data with some headroom, stretched to a threshold only when it
 * is near (within twice the data), so thresholds derived from a multi-GB heap limit do not flatten
 * a 100 MB process into a line at the bottom. The numbers box and the legend still show them.
 */
function memoryRange() {
  let top = 0;
  for (const s of samples) top = Math.max(top, s.rss, s.heapTotal, s.external);
  top /= MB;
  const near = [thresholds?.warning, thresholds?.cleanup, thresholds?.critical]
    .filter((t) => typeof t === 'number')
    .map((t) => t / MB)
    .filter((t) => t <= top * 2);
  return [0, Math.max(top * 1.25, ...near.map((t) => t * 1.05), 1)];
}

function redraw() {
  const t = samples.map((s) => s.t / 1000);
  const line = (value) => samples.map(() => (value === null ? null : value / MB));
  charts.memory.setData([
    t,
    samples.map((s) => s.rss / MB),
    samples.map((s) => s.heapUsed / MB),
    samples.map((s) => s.heapTotal / MB),
    samples.map((s) => s.external / MB),
    line(thresholds?.warning ?? null),
    line(thresholds?.cleanup ?? null),
    line(thresholds?.critical ?? null),
  ]);
  charts.gc.setData([t, samples.map((s) => s.gcPauseMs)]);
  charts.clients.setData([
    t,
    samples.map((s) => s.clients),
    samples.map((s) => s.adapters),
    samples.map((s) => s.subscriptions),
  ]);
  const last = samples[samples.length - 1];
  if (last) {
    text('rss-value', mb(last.rss));
    text('heap-value', mb(last.heapUsed));
    text('external-value', mb(last.external));
    text('clients-value', String(last.clients));
    text('adapters-value', String(last.adapters));
    text('subscriptions-value', String(last.subscriptions));
    text('cleanups-value', String(last.cleanupRuns));
    text('gc-value', `${last.gcPauseMs.toFixed(1)} ms`);
    setLevel(last.level);
  }
  document.body.dataset.samples = String(samples.length);
}

function setLevel(level) {
  const badge = document.getElementById('level');
  badge.textContent = level;
  badge.className = `badge ${level}`;
}

function rows(tableId, cells) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(
    ...cells.map((row) => {
      const tr = document.createElement('tr');
      for (const cell of row) {
        const td = document.createElement('td');
        if (cell instanceof Node) td.append(cell);
        else td.textContent = String(cell);
        tr.append(td);
      }
      return tr;
    }),
  );
}

function meter(value) {
  const element = document.createElement('meter');
  element.min = 0;
  element.max = 1;
  element.value = value ?? 0;
  return element;
}

function renderSnapshot(snapshot) {
  thresholds = snapshot.thresholds;
  if (thresholds) {
    const t = [thresholds.warning, thresholds.cleanup, thresholds.critical].map((b) => (b / MB).toFixed(0));
    text('thresholds-value', `${t.join(' / ')} MB`);
  }
  setLevel(snapshot.level);
  rows(
    'cleanups',
    [...snapshot.cleanups]
      .reverse()
      .map((c) => [
        new Date(c.at).toLocaleTimeString(),
        c.trigger,
        c.level,
        c.totalFreed,
        c.durationMs.toFixed(1),
        c.errors,
        c.results.map((r) => `${r.name}:${r.freed}`).join(' '),
      ]),
  );
  rows(
    'structures',
    snapshot.structures.map((s) => [s.name, s.size, s.capacity ?? '—', meter(s.utilization)]),
  );
  rows(
    'adapters',
    snapshot.adapters.map((a) => [a.exchange, a.broker ?? '—', a.status, a.leases, a.subscriptions]),
  );
  document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots ?? 0) + 1);
}

function connect(secret) {
  const source = new EventSource(`/api/dashboard/stream?token=${encodeURIComponent(secret)}`);
  source.addEventListener('open', () => text('connection', 'live'));
  source.addEventListener('error', () => text('connection', 'reconnecting…'));
  source.addEventListener('history', (event) => {
    samples.splice(0, samples.length, ...JSON.parse(event.data));
    redraw();
  });
  source.addEventListener('sample', (event) => {
    samples.push(JSON.parse(event.data));
    if (samples.length > KEEP) samples.splice(0, samples.length - KEEP);
    redraw();
  });
  source.addEventListener('snapshot', (event) => {
    renderSnapshot(JSON.parse(event.data));
    redraw();
  });
}

function start() {
  const secret = token();
  if (!secret) {
    askForToken();
    return;
  }
  createCharts();
  connect(secret);
  addEventListener('resize', () => {
    for (const [id, c] of Object.entries(charts)) {
      c.setSize({
        width: Math.max(320, document.getElementById(`${id}-chart`).clientWidth),
        height: c.height,
      });
    }
  });
}

if (document.readyState === 'loading') addEventListener('DOMContentLoaded', start);
else start();
