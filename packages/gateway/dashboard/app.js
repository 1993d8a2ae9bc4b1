// The live memory dashboard: charts and tables fed by the gateway's stats stream (Server-Sent
// Events). Plain browser JavaScript, no build step; uPlot is served by the gateway itself.
import { createCharts, drawCharts } from './charts.js';
import { renderTables } from './tables.js';

const MB = 1024 * 1024;
const KEEP = 600; // samples on the charts: ten minutes at one a second

const samples = [];
let thresholds = null;

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

function setLevel(level) {
  const badge = document.getElementById('level');
  badge.textContent = level;
  badge.className = `badge ${level}`;
}

function redraw() {
  drawCharts(samples, thresholds);
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
}

if (document.readyState === 'loading') addEventListener('DOMContentLoaded', start);
else start();
