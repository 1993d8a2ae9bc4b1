import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAdminToken } from '../auth/api-keys.js';
import type { AuthFailures } from '../auth/auth-failures.js';
import { originAllowed } from '../auth/origins.js';
import { bearerToken } from './admin-auth.js';
import { streamDashboard } from './dashboard-stream.js';
import type { StatsSampler } from '../dashboard/stats-sampler.js';
import type { EventStreams } from './event-stream.js';
import { HttpError, retryAfter } from './http-errors.js';

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
export interface DashboardRoutesOptions {
  adminToken: string | null;
  failures: AuthFailures;
  /** ALLOWED_ORIGINS: pages of other origins may not open the stream. */
  allowedOrigins: readonly string[] | undefined;
  streams: EventStreams;
  sampler: StatsSampler;
  snapshot: () => unknown;
}

export function registerDashboardRoutes(app: FastifyInstance, o: DashboardRoutesOptions): void {
  const { streams, sampler, snapshot } = o;
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
    const { origin, host } = request.headers;
    if (!originAllowed(o.allowedOrigins, origin, host)) throw new HttpError.FORBIDDEN_ORIGIN(String(origin));
    const blockedFor = o.failures.blockedFor(request.ip);
    if (blockedFor > 0) throw retryAfter(new HttpError.TOO_MANY_FAILURES(blockedFor), blockedFor);
    const presented = tokenOf(request);
    if (!isAdminToken(o.adminToken, presented)) {
      if (presented !== undefined) o.failures.failed(request.ip);
      // 401 with a wrong token too: the page then shows its token form.
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
  return typeof query?.token === 'string' ? query.token : bearerToken(request);
}
