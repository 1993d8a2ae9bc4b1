import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnGateway } from '../support/spawn-gateway.js';
import { startTestGateway, TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';

/** A raw connection that sends `head` and then nothing; resolves with what came back once it closed. */
async function stall(url: string, head: string): Promise<{ socket: Socket; answer: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(head);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  socket.on('error', () => {});
  return { socket, answer };
}

const BODY_NEVER_COMES =
  'POST /api/reports HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{';
const HEADERS_NEVER_END = 'GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Slow: ';

describe('HTTP request timeouts', () => {
  for (const [what, head] of [
    ['a body that never arrives', BODY_NEVER_COMES],
    ['headers that never end', HEADERS_NEVER_END],
  ] as const) {
    it(`answers ${what} with 408 and closes the connection`, async () => {
      const { gateway } = await startTestGateway({
        HTTP_REQUEST_TIMEOUT_SECONDS: '0.5',
        HTTP_HEADERS_TIMEOUT_SECONDS: '0.3',
      });
      try {
        const { answer } = await stall(gateway.url, head);
        assert.match(await answer, /^HTTP\/1\.1 408 /);
        const health = await fetch(`${gateway.url}/healthz`);
        assert.equal(health.status, 200, 'other clients are served meanwhile and after');
      } finally {
        await gateway.close();
      }
    });
  }

  it('on SIGTERM with a request stalled in flight, cuts it after the grace and exits 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'steadystate-stalled-'));
    const spawned = await spawnGateway({
      API_KEYS: TEST_API_KEYS.join(','),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      DATA_DIR: dataDir,
      // The request would be cut by its own timeout much later than the shutdown.
      HTTP_REQUEST_TIMEOUT_SECONDS: '600',
      SHUTDOWN_TIMEOUT_MS: '4000',
    });
    try {
      const { answer } = await stall(spawned.url, BODY_NEVER_COMES);
      spawned.child.kill('SIGTERM');
      assert.deepEqual(await spawned.exited, { code: 0, signal: null });
      await answer; // the connection was closed by the server
    } finally {
      if (spawned.child.exitCode === null) spawned.child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
