import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAdminToken } from '../auth/api-keys.js';
import type { AuthFailures } from '../auth/auth-failures.js';
import { HttpError, retryAfter } from './http-errors.js';

/**
 * Checks a presented admin token for the request's address: 429 TOO_MANY_FAILURES while the
 * address is blocked after failed attempts, 403 FORBIDDEN for a wrong token (counted), or
 * nothing when it is the admin token.
 */
export function checkAdminToken(
  adminToken: string | null,
  failures: AuthFailures,
  request: FastifyRequest,
  presented: string,
): void {
  const blockedFor = failures.blockedFor(request.ip);
  if (blockedFor > 0) throw retryAfter(new HttpError.TOO_MANY_FAILURES(blockedFor), blockedFor);
  if (isAdminToken(adminToken, presented)) return;
  failures.failed(request.ip);
  throw new HttpError.FORBIDDEN();
}

/**
 * A preHandler that lets a request through only with `Authorization: Bearer <ADMIN_TOKEN>`:
 * 401 without a bearer token, 403 with a wrong one (or when admin access is disabled), 429 while
 * the address is blocked.
 */
export function requireAdminToken(adminToken: string | null, failures: AuthFailures) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const presented = bearerToken(request);
    try {
      if (presented === undefined)
        throw new HttpError.UNAUTHORIZED('send Authorization: Bearer <admin token>');
      checkAdminToken(adminToken, failures, request, presented);
      done();
    } catch (error) {
      done(error as Error);
    }
  };
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}
