// The stats stream (Server-Sent Events) with its own retries. EventSource hides the HTTP status of
// a failed connection, so when the stream errors it is closed and its URL asked again with fetch:
// 401 means the token was refused, 503 TOO_MANY_STREAMS that every dashboard slot is taken, and a
// fetch that fails outright that the gateway is gone.
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
const EVENTS = ['history', 'sample', 'snapshot'];

/**
 * Opens the stream and keeps it open, backing off between attempts. `onEvent(name, data)` gets
 * the stream's events, `onStatus(text)` what to show, `onRefused()` a refused token (no retry).
 */
export function openStream(secret, { onEvent, onStatus, onRefused }) {
  const url = `/api/dashboard/stream?token=${encodeURIComponent(secret)}`;
  let delay = FIRST_DELAY_MS;
  let source = null;
  let timer = null;
  let stopped = false;

  const connect = () => {
    source = new EventSource(url);
    source.addEventListener('open', () => {
      delay = FIRST_DELAY_MS;
      onStatus('live');
    });
    for (const name of EVENTS) {
      source.addEventListener(name, (event) => onEvent(name, JSON.parse(event.data)));
    }
    source.addEventListener('error', () => {
      source.close(); // our retry instead of EventSource's, which would not see a 401 or 503
      void diagnose();
    });
  };

  const diagnose = async () => {
    const cause = await probe(url);
    if (stopped) return;
    if (cause === 'refused') {
      stop();
      onRefused();
      return;
    }
    onStatus(cause === 'full' ? 'too many dashboards open: retrying…' : 'reconnecting…');
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  };

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
  };

  connect();
  return { close: stop };
}

/** Why the stream failed: 'refused', 'full' or 'unavailable' (gone, closing, or fine again). */
async function probe(url) {
  const controller = new AbortController();
  try {
    const response = await fetch(url, { cache: 'no-store', signal: controller.signal });
    if (response.status === 401) return 'refused';
    if (response.status === 503 && (await errorCode(response)) === 'TOO_MANY_STREAMS') return 'full';
    return 'unavailable';
  } catch {
    return 'unavailable';
  } finally {
    controller.abort(); // a 200 is a live stream holding a slot: let it go at once
  }
}

async function errorCode(response) {
  try {
    return (await response.json()).error?.code;
  } catch {
    return undefined;
  }
}
