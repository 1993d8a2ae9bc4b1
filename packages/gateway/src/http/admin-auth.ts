import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAdminToken } from '../auth/api-keys.js';
import { HttpError } from './http-errors.js';

/**
 * A preHandler that lets a request through only with `Authorization: Bearer <ADMIN_TOKEN>`:
 * 401 without a bearer token, 403 with a wrong one (or when admin access is disabled).
 */
export function requireAdminToken(adminToken: string | null) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) done(new HttpError.UNAUTHORIZED('send Authorization: Bearer <admin token>'));
    else if (!isAdminToken(adminToken, match[1])) done(new HttpError.FORBIDDEN());
    else done();
  };
}
