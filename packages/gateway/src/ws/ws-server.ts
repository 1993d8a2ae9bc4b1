import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CloseOnce,
  PeriodicJob,
  incrementCounter,
  schedulingOf,
  systemClock,
  systemTimers,
  type Clock,
  type LeakTracker,
  type Logger,
  type MemoryMonitor,
  type SchedulingOptions,
} from '@steadystate/lifecycle';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { GatewayConfig } from '../config/config.js';
import type { SubscriptionService } from '../market/subscription-service.js';
import { originAllowed } from '../auth/origins.js';
import { ErrorCode, errorFrame } from '../protocol/error-codes.js';
import { ClientConnection, corkFlushBytes, type ClientLimits } from './client-connection.js';
import type { ClientRegistry } from './client-registry.js';
import { CloseCode } from './close-codes.js';
import type { MessageHandler } from './message-handler.js';

export interface SocketServerOptions extends SchedulingOptions {
  server: Server;
  config: GatewayConfig['ws'];
  clients: ClientRegistry;
  handler: MessageHandler;
  subscriptions: SubscriptionService;
  monitor: MemoryMonitor;
  leakTracker: LeakTracker;
  logger: Logger;
  /** Origins browsers may open a WebSocket from (ALLOWED_ORIGINS); undefined: any. */
  allowedOrigins?: readonly string[];
  /** Keepalive, slow-consumer and auth-grace times. @default Date.now */
  now?: Clock;
}

/** The socket event listeners every connection shares; `this` is the socket. */
interface SocketListeners {
  message: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  ping: (this: WebSocket, data: Buffer) => void;
  pong: (this: WebSocket, data: Buffer) => void;
  error: (this: WebSocket, error: Error) => void;
  close: (this: WebSocket, code: number) => void;
}

/** What happened to connections, for metrics. */
export interface ConnectionCounters {
  accepted: number;
  refusedOverloaded: number;
  refusedFull: number;
  /** Upgrades refused for an Origin not in ALLOWED_ORIGINS. */
  refusedOrigin: number;
  /** Connections refused for WS_MAX_CONNECTIONS_PER_ADDRESS. */
  refusedAddress: number;
  closed: Map<string, number>;
  keepaliveTerminated: number;
  slowClosed: number;
  /** Replies and error frames dropped because their client's send buffer was over the bound. */
  repliesDropped: number;
}

/** Frames beyond this are cut by ws itself with 1009; those between the soft limit and this get FRAME_TOO_LARGE. */
function hardFrameCap(maxFrameBytes: number): number {
  return Math.max(1_048_576, 16 * maxFrameBytes);
}

/**
 * The WebSocket side of the gateway, on the HTTP server's port (any path). Owns the connection
 * lifecycle: admission (load shedding at CRITICAL memory, the connection cap), the auth grace
 * timer, keepalive pings, the slow-consumer check and the release of everything a client held
 * when it goes. `close()` refuses new upgrades and closes every client with 1001.
 */
export class SocketServer {
  readonly counters: ConnectionCounters = {
    accepted: 0,
    refusedOverloaded: 0,
    refusedFull: 0,
    refusedOrigin: 0,
    refusedAddress: 0,
    closed: new Map(),
    keepaliveTerminated: 0,
    slowClosed: 0,
    repliesDropped: 0,
  };
  readonly #o: SocketServerOptions;
  readonly #wss: WebSocketServer;
  readonly #limits: ClientLimits;
  readonly #keepalive: PeriodicJob;
  readonly #slowCheck: PeriodicJob;
  readonly #closing = new CloseOnce();
  readonly #clientOf = new WeakMap<WebSocket, ClientConnection>();
  readonly #listeners: SocketListeners;
  /** Open connections per peer address (WS_MAX_CONNECTIONS_PER_ADDRESS); an address leaves with its last. */
  readonly #perAddress = new Map<string, number>();
  /** What the latest keepalive ping carried: a pong must carry it back. */
  readonly #pingRound = { count: 0, payload: Buffer.alloc(0) };
  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.#upgrade(request, socket, head);

  constructor(options: SocketServerOptions) {
    this.#o = options;
    this.#listeners = this.#makeListeners();
    const { config, clients, logger } = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: hardFrameCap(config.maxFrameBytes),
      perMessageDeflate: false,
      clientTracking: false,
      // Pings are answered by the client's connection, under its rate limit and send bound.
      autoPong: false,
    });
    this.#limits = {
      maxBufferedBytes: config.maxBufferedBytes,
      corkFlushBytes: corkFlushBytes(config.maxBufferedBytes),
      slowClientTimeoutMs: config.slowClientTimeoutMs,
      maxMessagesPerSecond: config.maxMessagesPerSecond,
      onBehind: (client) => clients.markBehind(client),
      onReplyDropped: () => (this.counters.repliesDropped = incrementCounter(this.counters.repliesDropped)),
      now: options.now ?? systemClock,
      timers: options.timers ?? systemTimers,
    };
    this.#keepalive = new PeriodicJob({
      name: 'ws-keepalive',
      intervalMs: config.pingIntervalMs,
      run: () => this.#ping(),
      logger,
      ...schedulingOf(options),
    });
    this.#slowCheck = new PeriodicJob({
      name: 'ws-slow-consumers',
      intervalMs: Math.max(10, Math.min(250, Math.floor(config.slowClientTimeoutMs / 4))),
      run: () => this.#checkSlowClients(),
      logger,
      ...schedulingOf(options),
    });
    options.server.on('upgrade', this.#onUpgrade);
  }

  /** Starts the keepalive pings and the slow-consumer check; only needed with `autostart: false`. */
  start(): void {
    this.#keepalive.start();
    this.#slowCheck.start();
  }

  get jobs(): PeriodicJob[] {
    return [this.#keepalive, this.#slowCheck];
  }

  /**
   * Stops accepting upgrades, closes every client with 1001 and waits (at most `waitMs`) for
   * their close handshakes; those that do not finish are terminated. Idempotent.
   */
  close(waitMs = 1000): Promise<void> {
    return this.#closing.run(async () => {
      this.#o.server.off('upgrade', this.#onUpgrade);
      await Promise.all([this.#keepalive.close(), this.#slowCheck.close()]);
      const open = [...this.#o.clients.values()];
      const closed = open.map(
        (client) => new Promise<void>((resolve) => client.ws.once('close', () => resolve())),
      );
      for (const client of open) client.close(CloseCode.GOING_AWAY, 'server shutting down');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([Promise.all(closed), timeout]);
      clearTimeout(timer);
      for (const client of this.#o.clients.values()) client.ws.terminate();
      await Promise.all(closed);
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    });
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const onError = (error: Error) => this.#o.logger.debug({ err: error }, 'socket error during upgrade');
    socket.on('error', onError);
    if (this.#closing.closing) {
      socket.destroy();
      return;
    }
    if (!originAllowed(this.#o.allowedOrigins, request.headers.origin, request.headers.host)) {
      // Refused before the upgrade: a page of another site never gets a WebSocket here.
      this.counters.refusedOrigin = incrementCounter(this.counters.refusedOrigin);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const address = request.socket.remoteAddress ?? 'unknown';
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      // ws handles the socket's errors from here on; the listener would cost every client memory.
      socket.off('error', onError);
      this.#admit(ws, socket, address);
    });
  }

  #admit(ws: WebSocket, socket: Duplex, address: string): void {
    const { monitor, clients, config } = this.#o;
    if (monitor.shedding) {
      this.counters.refusedOverloaded = incrementCounter(this.counters.refusedOverloaded);
      refuse(ws, ErrorCode.SERVER_OVERLOADED, 'memory is critical; try again later', 'server overloaded');
      return;
    }
    if (clients.full) {
      this.counters.refusedFull = incrementCounter(this.counters.refusedFull);
      refuse(
        ws,
        ErrorCode.MAX_CONNECTIONS,
        `at most ${clients.capacity} connections`,
        'too many connections',
      );
      return;
    }
    const fromAddress = this.#perAddress.get(address) ?? 0;
    if (fromAddress >= config.maxConnectionsPerAddress) {
      this.counters.refusedAddress = incrementCounter(this.counters.refusedAddress);
      refuse(
        ws,
        ErrorCode.MAX_CONNECTIONS,
        `at most ${config.maxConnectionsPerAddress} connections from one address`,
        'too many connections from this address',
      );
      return;
    }
    this.counters.accepted = incrementCounter(this.counters.accepted);
    this.#perAddress.set(address, fromAddress + 1);
    const client = new ClientConnection(
      clients.nextId(),
      { ws, socket, address },
      this.#limits,
      this.#limits.now(),
    );
    clients.add(client);
    this.#o.leakTracker.track(client, `ws client ${client.id}`);
    client.startAuthGrace(config.authGraceMs);
    // One set of listeners for every connection (ws calls them with `this` = the socket): a
    // closure per event per client would cost an idle connection a few hundred bytes more.
    this.#clientOf.set(ws, client);
    const listeners = this.#listeners;
    ws.on('message', listeners.message);
    ws.on('ping', listeners.ping);
    ws.on('pong', listeners.pong);
    ws.on('error', listeners.error);
    // `on`, not `once`: ws emits close exactly once, and once() would add a wrapper per client.
    ws.on('close', listeners.close);
  }

  #makeListeners(): SocketListeners {
    const clientOf = this.#clientOf;
    const handler = this.#o.handler;
    const logger = this.#o.logger;
    const release = (client: ClientConnection, code: number) => this.#release(client, code);
    const round = this.#pingRound;
    return {
      message(this: WebSocket, data: RawData, isBinary: boolean) {
        const client = clientOf.get(this);
        if (client) handler.onFrame(client, data, isBinary);
      },
      ping(this: WebSocket, data: Buffer) {
        clientOf.get(this)?.answerPing(data, performance.now());
      },
      pong(this: WebSocket, data: Buffer) {
        // Only a pong that answers the server's own latest ping shows the client reads: a client
        // may send pongs of its own at will (RFC 6455 allows it) while it reads nothing.
        const client = clientOf.get(this);
        if (client && data.equals(round.payload)) client.alive = true;
      },
      error(this: WebSocket, error: Error) {
        logger.debug({ client: clientOf.get(this)?.id, err: error }, 'client socket error');
      },
      close(this: WebSocket, code: number) {
        const client = clientOf.get(this);
        clientOf.delete(this);
        if (client) release(client, code);
      },
    };
  }

  /** Everything a client held goes with it: subscriptions, adapter leases, metrics, timers. */
  #release(client: ClientConnection, code: number): void {
    const { clients, subscriptions, leakTracker } = this.#o;
    clients.remove(client);
    const fromAddress = (this.#perAddress.get(client.address) ?? 1) - 1;
    if (fromAddress > 0) this.#perAddress.set(client.address, fromAddress);
    else this.#perAddress.delete(client.address);
    // Also for a client without subscriptions yet: a subscribe of it still queued must find it gone.
    subscriptions.release(client.ensureSubscriptions());
    client.dispose();
    leakTracker.markClosed(client);
    const reason = String(code);
    this.counters.closed.set(reason, (this.counters.closed.get(reason) ?? 0) + 1);
  }

  #ping(): void {
    const round = this.#pingRound;
    round.count++;
    round.payload = Buffer.from(`steadystate-${round.count}`);
    for (const client of this.#o.clients.values()) {
      if (!client.alive) {
        this.counters.keepaliveTerminated = incrementCounter(this.counters.keepaliveTerminated);
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping(round.payload);
    }
  }

  #checkSlowClients(): void {
    const now = this.#limits.now();
    const behind = this.#o.clients.behind;
    for (const client of behind) {
      const state = client.catchUp(now);
      if (state === 'behind') continue;
      behind.delete(client);
      if (state === 'too-slow') {
        this.counters.slowClosed = incrementCounter(this.counters.slowClosed);
        client.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
      }
    }
  }
}

/** Tells a client why it is refused, then closes with 1013 (try again later). */
function refuse(ws: WebSocket, code: ErrorCode, message: string, reason: string): void {
  ws.send(JSON.stringify(errorFrame(code, message)));
  ws.close(CloseCode.TRY_AGAIN_LATER, reason);
  const cut = setTimeout(() => ws.terminate(), 2000);
  cut.unref();
  ws.once('close', () => clearTimeout(cut));
}
