import { get } from 'node:http';

/** One Server-Sent Event: its `event:` name and its `data:` parsed as JSON. */
export interface ServerEvent {
  event: string;
  data: unknown;
}

/**
 * Reads a `text/event-stream` body until the server ends it and parses every event in it.
 * Comment lines (`: keepalive`) are skipped; events are split on blank lines as the SSE format
 * says, however the bytes arrived.
 */
export async function readEventStream(response: Response): Promise<ServerEvent[]> {
  const text = await response.text();
  const events: ServerEvent[] = [];
  for (const block of text.split('\n\n')) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice('event: '.length);
      else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
    }
    if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return events;
}

/**
 * Opens a stream with node:http and keeps it open, reading and discarding what comes, until
 * `cut()` destroys the connection. (fetch's abort leaves undici's socket open, so the server
 * would not see the reader go.)
 */
export function openStream(url: string): Promise<{ status: number; cut(): void }> {
  return new Promise((resolve, reject) => {
    const request = get(url, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, cut: () => request.destroy() });
    });
    request.on('error', reject);
  });
}
