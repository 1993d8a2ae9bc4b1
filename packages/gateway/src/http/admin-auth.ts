import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAdminToken } from '../auth/api-keys.js';
import { sendHttpError } from './http-errors.js';

/**
 * A preHandler that lets a request through only with `Authorization: Bearer <ADMIN_TOKEN>`:
 * 401 without a bearer token, 403 with a wrong one (or when admin access is disabled).
 */
export function requireAdminToken(adminToken: string | null) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      await sendHttpError(reply, 401, 'UNAUTHORIZED', 'send Authorization: Bearer <admin token>');
      return;
    }
    if (!isAdminToken(adminToken, match[1])) {
      await sendHttpError(reply, 403, 'FORBIDDEN', 'the admin token is not valid');
    }
  };
}
