import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAdminToken } from '../auth/api-keys.js';
import { streamDashboard } from './dashboard-stream.js';
import type { StatsSampler } from '../dashboard/stats-sampler.js';
import type { EventStreams } from './event-stream.js';
import { HttpError } from './http-errors.js';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const TYPES: Record<string, string | undefined> = { '.js': JS, '.css': CSS };

/**
 * The page and its scripts, read once at start: no CDN, so the dashboard works offline. Every
 * script and style sheet in `dashboard/` is served (the page's modules import one another).
 */
function loadAssets(): Record<string, { type: string; body: Buffer }> {
  const dir = fileURLToPath(new URL('../../../dashboard/', import.meta.url));
  const uplot = (file: string) => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`));
  const assets: Record<string, { type: string; body: Buffer }> = {
    '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(dir, 'index.html')) },
    '/dashboard/uPlot.iife.min.js': { type: JS, body: uplot('uPlot.iife.min.js') },
    '/dashboard/uPlot.min.css': { type: CSS, body: uplot('uPlot.min.css') },
  };
  for (const file of readdirSync(dir)) {
    const type = TYPES[extname(file)];
    if (type) assets[`/dashboard/${file}`] = { type, body: readFileSync(join(dir, file)) };
  }
  return assets;
}

const PAGE_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

/**
 * The live memory dashboard at `/`: the page and its assets are public (they hold no data); the
 * stream of stats at `/api/dashboard/stream` needs the admin token, as `?token=` (EventSource
 * cannot send headers) or `Authorization: Bearer`.
 */
export function registerDashboardRoutes(
  app: FastifyInstance,
  adminToken: string | null,
  dashboards: { streams: EventStreams; sampler: StatsSampler; snapshot: () => unknown },
): void {
  const { streams, sampler, snapshot } = dashboards;
  for (const [path, asset] of Object.entries(loadAssets())) {
    app.get(path, (_request, reply) =>
      reply
        .header('content-security-policy', PAGE_CSP)
        .header('cache-control', 'no-cache')
        .type(asset.type)
        .send(asset.body),
    );
  }

  app.get('/api/dashboard/stream', (request, reply) => {
    if (!isAdminToken(adminToken, tokenOf(request))) {
      throw new HttpError.UNAUTHORIZED(
        'the stats stream needs the admin token (?token= or Authorization: Bearer)',
      );
    }
    streamDashboard(streams.openOn(reply, 'dashboards'), sampler, snapshot);
    return reply;
  });

  app.addHook('preClose', (done) => {
    streams.endAll();
    done();
  });
}

function tokenOf(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.token === 'string') return query.token;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}
