import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAdminToken, type ApiKeyStore } from '../auth/api-keys.js';
import type { AuthFailures } from '../auth/auth-failures.js';
import { bearerToken } from './admin-auth.js';
import { HttpError, retryAfter } from './http-errors.js';

/** Who is calling a job route: an api key's user, who sees their own jobs, or the admin, who sees all. */
export type Caller = { admin: false; userId: string } | { admin: true; userId: 'admin' };

/** True when `caller` may see and act on a job owned by `owner` (null: a scheduled job of the service). */
export function mayAccess(caller: Caller, owner: string | null): boolean {
  return caller.admin || owner === null || owner === caller.userId;
}

/**
 * Authenticates the callers of the job routes (scans, tasks, logs, reports). The credential is an
 * api key, as `Authorization: Bearer <key>` or OpenAlgo's `X-API-KEY: <key>` header, or the admin
 * token as a bearer; a GET may also pass `?api_key=` (a browser viewing a report page, an
 * EventSource following a log: neither can send headers). Wrong credentials are counted per
 * address like WebSocket ones, and a blocked address is refused (429).
 */
export class CallerAuth {
  readonly #apiKeys: ApiKeyStore;
  readonly #adminToken: string | null;
  readonly #failures: AuthFailures;

  constructor(options: { apiKeys: ApiKeyStore; adminToken: string | null; failures: AuthFailures }) {
    this.#apiKeys = options.apiKeys;
    this.#adminToken = options.adminToken;
    this.#failures = options.failures;
  }

  /** The caller of `request`; throws 401 UNAUTHORIZED without valid credentials, 429 while blocked. */
  callerOf(request: FastifyRequest): Caller {
    const presented = credentialOf(request);
    if (presented === undefined) {
      throw new HttpError.UNAUTHORIZED('send an api key: Authorization: Bearer <key> or X-API-KEY: <key>');
    }
    const blockedFor = this.#failures.blockedFor(request.ip);
    if (blockedFor > 0) throw retryAfter(new HttpError.TOO_MANY_FAILURES(blockedFor), blockedFor);
    if (isAdminToken(this.#adminToken, presented)) return { admin: true, userId: 'admin' };
    const identity = this.#apiKeys.identify(presented);
    if (identity) return { admin: false, userId: identity.userId };
    this.#failures.failed(request.ip);
    throw new HttpError.UNAUTHORIZED('the api key is not valid');
  }
}

/**
 * An onRequest hook that authenticates the callers of `paths` (their path without the query),
 * for routes open to all unless configured otherwise.
 */
export function requireCaller(auth: CallerAuth, paths: readonly string[]) {
  const guarded = new Set(paths);
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    if (!guarded.has(request.url.split('?')[0] ?? '')) return done();
    try {
      auth.callerOf(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  };
}

function credentialOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const bearer = bearerToken(request);
  if (bearer !== undefined) return bearer;
  if (request.method !== 'GET') return undefined;
  // From the URL itself: a route's query schema strips parameters it does not name.
  const key = new URLSearchParams(request.url.split('?')[1] ?? '').get('api_key');
  return key === null || key.length === 0 ? undefined : key;
}
