import type { MarketIndices, Mover } from '../indices/compute-indices.js';
import type { IndexPoint } from '../indices/market-indices-service.js';
import type { ReportContent } from './report-content.js';
import { LABELS, type Language } from './report-i18n.js';
import { html, type SafeHtml } from '../html/html.js';
import { barChart, lineChart } from './svg-charts.js';

/** What a report is made of: the latest indices and their history. */
export interface ReportInput {
  indices: MarketIndices | null;
  history: readonly IndexPoint[];
  generatedAt: number;
}

const CSS = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .75rem;border-bottom:1px solid #d0d7de;text-align:right}
td:first-child,th:first-child{text-align:left}.up{fill:#1a7f37;color:#1a7f37}.down{fill:#cf222e;color:#cf222e}
svg{width:100%;max-width:640px;height:auto}.axis{stroke:#8c959f;stroke-width:1}.line{stroke:#0969da;stroke-width:2}
.label{font-size:11px;fill:#57606a}.title{font-size:13px;fill:#1b1f24;font-weight:600}
.meta td{text-align:left}button{margin-top:1rem}`;

/**
 * Builds a report in both languages: the HTML (with inline SVG charts), its CSS, and a small
 * script per language (a button linking to the other language's page). Everything is escaped;
 * nothing is loaded from anywhere.
 */
export function buildReport(
  input: ReportInput,
): ReportContent & { title: string; summary: Record<string, unknown> } {
  const summary = summarize(input.indices);
  return {
    title: `${LABELS.en.title} ${new Date(input.generatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    summary,
    html_content: page(input, 'vi').toString(),
    html_content_en: page(input, 'en').toString(),
    css_content: CSS,
    js_content: script('vi'),
    js_content_en: script('en'),
  };
}

function summarize(indices: MarketIndices | null): Record<string, unknown> {
  if (!indices) return { constituents: 0 };
  return {
    exchange: indices.exchange,
    constituents: indices.constituents,
    volume_weighted_change_pct: round(indices.volume_weighted_change_pct),
    advancers: indices.advancers,
    decliners: indices.decliners,
    top_gainer: indices.top_gainers[0]?.symbol ?? null,
    top_loser: indices.top_losers[0]?.symbol ?? null,
  };
}

function page(input: ReportInput, language: Language): SafeHtml {
  const t = LABELS[language];
  const i = input.indices;
  const body = i
    ? html`<table class="meta">
          <tbody>
            ${row(t.exchange, i.exchange)}
            ${row(t.constituents, i.constituents)}
            ${row(t.weighted, percent(i.volume_weighted_change_pct))}
            ${row(t.equal, percent(i.equal_weighted_change_pct))}
            ${row(t.breadth, `${i.advancers} / ${i.decliners} / ${i.unchanged}`)}
            ${row(t.dispersion, `${round(i.dispersion_pct)}%`)}
          </tbody>
        </table>
        <h2>${t.history}</h2>
        ${lineChart(
          input.history.map((p) => ({ at: p.at, value: p.volume_weighted_change_pct })),
          t.history,
        )}
        <h2>${t.movers}</h2>
        ${barChart(
          [...i.top_gainers, ...i.top_losers].map((m) => ({ label: m.symbol, value: m.change_pct })),
          t.movers,
        )}
        ${moverTable(t.gainers, i.top_gainers, language)}
        ${moverTable(t.losers, i.top_losers, language)}`
    : html`<p>${t.noData}</p>`;
  return html`<main lang="${language}">
    <h1>${t.title}</h1>
    <p>${t.generated}: ${new Date(input.generatedAt).toISOString()}</p>
    ${body}
    <button type="button" id="switch-language">${t.toggle}</button>
  </main>`;
}

function moverTable(title: string, movers: readonly Mover[], language: Language): SafeHtml {
  const t = LABELS[language];
  const rows = movers.map(
    (m) =>
      html`<tr>
        <td>${m.symbol}</td>
        <td>${m.ltp}</td>
        <td class="${m.change_pct >= 0 ? 'up' : 'down'}">${percent(m.change_pct)}</td>
      </tr>`,
  );
  return html`<h2>${title}</h2>
    <table>
      <thead>
        <tr>
          <th>${t.symbol}</th>
          <th>${t.price}</th>
          <th>${t.change}</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

/** The page script: the language button goes to the same report in the other language. */
function script(language: Language): string {
  const other = language === 'vi' ? 'en' : 'vi';
  return `document.getElementById('switch-language')?.addEventListener('click',()=>{const u=new URL(location.href);u.searchParams.set('lang','${other}');location.href=u.toString();});`;
}

function row(label: string, value: string | number): SafeHtml {
  return html`<tr>
    <td>${label}</td>
    <td>${value}</td>
  </tr>`;
}

function percent(value: number): string {
  return `${value >= 0 ? '+' : ''}${round(value)}%`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
