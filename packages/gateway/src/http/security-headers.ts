import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries, through helmet: `X-Content-Type-Options: nosniff` (a script or
 * a JSON body is never read as something else), `X-Frame-Options: DENY` (no page of the gateway
 * inside another site's frame), `Referrer-Policy: no-referrer` (the dashboard's `?token=` never
 * leaves in a Referer), and helmet's cross-origin defaults. The pages set their own
 * Content-Security-Policy (with `frame-ancestors 'none'`), so helmet's is off; so is HSTS, which
 * belongs to whatever terminates TLS in front of the gateway.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  // Loaded with the app's other plugins, before any route: registered first, applied to all.
  void app.register(helmet, {
    contentSecurityPolicy: false,
    strictTransportSecurity: false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
