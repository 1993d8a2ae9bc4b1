// The live memory dashboard: charts and tables fed by the gateway's stats stream (Server-Sent
// Events). Plain browser JavaScript, no build step; uPlot is served by the gateway itself.
import { createCharts, drawCharts } from './charts.js';
import { renderHeadroom } from './headroom.js';
import { openStream } from './stream.js';
import { renderTables } from './tables.js';
import { takeToken, tokenForm } from './token.js';

const MB = 1024 * 1024;
const KEEP = 600; // samples on the charts: ten minutes at one a second

const samples = [];
let thresholds = null;

function text(id, value) {
  document.getElementById(id).textContent = value;
}

function mb(bytes) {
  return `${(bytes / MB).toFixed(1)} MB`;
}

function setLevel(level) {
  const badge = document.getElementById('level');
  badge.textContent = level;
  badge.className = `badge ${level}`;
}

function redraw() {
  drawCharts(samples, thresholds);
  const last = samples[samples.length - 1];
  renderHeadroom(last?.rss, thresholds);
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

function renderSnapshot(snapshot) {
  thresholds = snapshot.thresholds;
  if (thresholds) {
    const t = [thresholds.warning, thresholds.cleanup, thresholds.critical].map((b) => (b / MB).toFixed(0));
    text('thresholds-value', `${t.join(' / ')} MB`);
  }
  setLevel(snapshot.level);
  renderTables(snapshot);
  document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots ?? 0) + 1);
}

const handlers = {
  history(history) {
    samples.splice(0, samples.length, ...history);
    redraw();
  },
  sample(sample) {
    samples.push(sample);
    if (samples.length > KEEP) samples.splice(0, samples.length - KEEP);
    redraw();
  },
  snapshot(snapshot) {
    renderSnapshot(snapshot);
    redraw();
  },
};

function start() {
  createCharts();
  let stream = null;
  const connect = (secret) => {
    stream?.close();
    text('connection', 'connecting');
    stream = openStream(secret, {
      onEvent: (name, data) => handlers[name](data),
      onStatus: (status) => text('connection', status),
      onRefused: () => {
        text('connection', 'token refused');
        form.ask({ refused: true });
      },
    });
  };
  const form = tokenForm(connect);
  const secret = takeToken();
  if (secret) connect(secret);
  else form.ask({ refused: false });
}

if (document.readyState === 'loading') addEventListener('DOMContentLoaded', start);
else start();
