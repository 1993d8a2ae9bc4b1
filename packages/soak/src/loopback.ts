import { isIP } from 'node:net';
import { SoakError, SoakErrorCode } from './errors.js';

/** Where a target listens: its HTTP base URL and the WebSocket URL on the same port. */
export interface TargetUrls {
  /** e.g. http://127.0.0.1:8765, without a trailing slash. */
  readonly httpUrl: string;
  /** e.g. ws://127.0.0.1:8765 */
  readonly wsUrl: string;
}

/** True for host names only this machine can reach: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * Reads a target URL (http:// or ws://, any path, which is dropped) and refuses one that does
 * not point at this machine: the runner generates load, and load goes to loopback only.
 * Throws a SoakError with code NOT_LOOPBACK, or USAGE for a URL it cannot read.
 */
export function parseLoopbackUrl(text: string): TargetUrls {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SoakError(SoakErrorCode.USAGE, `not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'ws:') {
    throw new SoakError(SoakErrorCode.USAGE, `the URL must be http:// or ws://; got ${url.protocol}//`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new SoakError(
      SoakErrorCode.NOT_LOOPBACK,
      `${url.hostname} is not a loopback address; the soak runner targets this machine only (127.0.0.1, localhost, [::1])`,
    );
  }
  const hostPort = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  return { httpUrl: `http://${hostPort}`, wsUrl: `ws://${hostPort}` };
}
