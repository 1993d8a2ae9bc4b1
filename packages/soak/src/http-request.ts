export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: object;
  /** The request is abandoned after this long. */
  timeoutMs: number;
  /** Abandons the request early (the runner is stopping). */
  signal?: AbortSignal;
}

export interface TextResponse {
  status: number;
  ok: boolean;
  text: string;
}

/**
 * fetch with a timeout whose timer is cleared as soon as the request settles (AbortSignal.timeout
 * would leave it scheduled for the whole timeout), and an optional outer signal whose listener is
 * removed likewise. Rejects on a network error, a timeout or an abort.
 */
export async function request(url: string, o: RequestOptions): Promise<TextResponse> {
  const controller = new AbortController();
  const abort = () => controller.abort(o.signal?.reason);
  if (o.signal?.aborted) abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException('request timed out', 'TimeoutError')),
    o.timeoutMs,
  );
  try {
    const response = await fetch(url, {
      method: o.method ?? 'GET',
      headers: { ...o.headers, ...(o.json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
      signal: controller.signal,
    });
    return { status: response.status, ok: response.ok, text: await response.text() };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', abort);
  }
}
