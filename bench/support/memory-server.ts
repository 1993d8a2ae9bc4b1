/**
 * Child process running one server whose memory the idle-client benchmark measures: the gateway
 * with its default configuration (argv[2] = "gateway") or the raw `ws` baseline ("raw"). Started
 * with --expose-gc, it answers `memory` with a reading taken after full collections.
 */
import { startBenchGateway } from './bench-gateway.js';
import { Cleanup } from './cleanup.js';
import { serveCommands } from './ipc.js';
import { RawBroadcastServer } from './raw-broadcast-server.js';

interface Server {
  url: string;
  /** Clients connected and, for the gateway, authenticated. */
  clients(): number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-server needs --expose-gc');
const forceGc = gc;

const cleanup = new Cleanup();

async function startServer(kind: string): Promise<Server> {
  if (kind === 'raw') {
    const raw = await RawBroadcastServer.start();
    cleanup.add(() => raw.close());
    return { url: raw.url, clients: () => raw.clientCount };
  }
  if (kind !== 'gateway') throw new Error(`unknown server ${kind}`);
  const { gateway } = await startBenchGateway(cleanup);
  return { url: gateway.wsUrl, clients: () => gateway.parts.clients.authenticated() };
}

const server = await startServer(process.argv[2] ?? '');

serveCommands(
  {
    url: () => server.url,
    clients: () => server.clients(),
    memory: async () => {
      // A few rounds, with a turn of the event loop between them for finalizers and weak refs.
      for (let i = 0; i < 3; i++) {
        forceGc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage();
    },
  },
  () => cleanup.run(),
);
