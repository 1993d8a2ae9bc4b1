import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface SpawnedGateway {
  child: ChildProcessWithoutNullStreams;
  /** Base HTTP URL from the "gateway listening" log line. */
  url: string;
  /** Every stdout line so far, parsed as JSON where possible. */
  lines: unknown[];
  /** Resolves with the exit code (or signal) once the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built gateway (`build/src/main.js`) with `env` and waits until it listens. */
export async function spawnGateway(env: Record<string, string> = {}): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: 'pipe',
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const lines: unknown[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const parsed = parseLine(line);
        lines.push(parsed);
        const entry = parsed as { msg?: string; url?: string };
        if (entry.msg === 'gateway listening' && entry.url) resolve(entry.url);
      }
    });
    void exited.then(({ code }) =>
      reject(new Error(`gateway exited with ${code} before listening: ${stderr}`)),
    );
  });
  return { child, url, lines, exited };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}
