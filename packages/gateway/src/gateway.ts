import Fastify from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayConfig } from './config.js';
import { registerHealthRoute } from './http/health-route.js';

/** A running gateway: where it listens and how to stop it. */
export interface Gateway {
  /** Base HTTP URL, e.g. http://127.0.0.1:8765 (the real port when the config asked for 0). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes every connection and timer; idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Builds the HTTP server, starts listening and resolves once it accepts connections. */
export async function startGateway(config: GatewayConfig, logger: FastifyBaseLogger): Promise<Gateway> {
  const app = Fastify({ loggerInstance: logger, disableRequestLogging: true });
  registerHealthRoute(app, Date.now());
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${formatHost(config.host)}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());
  return { url, port, close, [Symbol.asyncDispose]: close };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
