/**
 * Whether a browser request from `origin` may connect. No Origin header (a program, not a page),
 * the gateway's own origin (`host` is the request's Host header), and any origin when no
 * allow-list is configured, may; otherwise only the listed origins (ALLOWED_ORIGINS).
 */
export function originAllowed(
  allowed: readonly string[] | undefined,
  origin: unknown,
  host: unknown,
): boolean {
  if (allowed === undefined || origin === undefined) return true;
  if (typeof origin !== 'string') return false;
  const normalized = origin.toLowerCase();
  if (typeof host === 'string' && (normalized === `http://${host}` || normalized === `https://${host}`))
    return true;
  return allowed.includes(normalized);
}
