/** Distinct keys a counter map holds; a target answering with ever new codes is counted under "other". */
const MAX_KEYS = 64;

/** Counts by key (close codes, error codes, HTTP outcomes), with a bounded number of keys. */
export class KeyedCounts {
  readonly #counts = new Map<string, number>();

  add(key: string, n = 1): void {
    const k = this.#counts.has(key) || this.#counts.size < MAX_KEYS ? key : 'other';
    this.#counts.set(k, (this.#counts.get(k) ?? 0) + n);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * What the load generator did and what it got back. Messages are counted, never kept: a soak
 * that stored what it received would measure its own growth.
 */
export class LoadCounters {
  clientsStarted = 0;
  connected = 0;
  /** Connections that failed before opening (refused, reset, timed out). */
  connectFailures = 0;
  authOk = 0;
  authFailures = 0;
  subscribeRequests = 0;
  symbolsSubscribed = 0;
  unsubscribeRequests = 0;
  marketData = 0;
  /** Other messages: replies, errors, pongs. */
  replies = 0;
  bytesReceived = 0;
  badFramesSent = 0;
  slowClients = 0;
  /** Clients we closed with a close handshake, and those we cut (terminate). */
  closedByUs = 0;
  terminatedByUs = 0;
  /** Close codes of connections the target closed first, e.g. 4401, 4008, 1013. */
  readonly closedByTarget = new KeyedCounts();
  /** Error frames received, by `code`. */
  readonly errorsByCode = new KeyedCounts();
  /** HTTP requests by "METHOD path status", e.g. "POST /api/scans 202". */
  readonly http = new KeyedCounts();

  toJSON(): Record<string, unknown> {
    return {
      clients_started: this.clientsStarted,
      connected: this.connected,
      connect_failures: this.connectFailures,
      auth_ok: this.authOk,
      auth_failures: this.authFailures,
      subscribe_requests: this.subscribeRequests,
      symbols_subscribed: this.symbolsSubscribed,
      unsubscribe_requests: this.unsubscribeRequests,
      market_data: this.marketData,
      replies: this.replies,
      bytes_received: this.bytesReceived,
      bad_frames_sent: this.badFramesSent,
      slow_clients: this.slowClients,
      closed_by_us: this.closedByUs,
      terminated_by_us: this.terminatedByUs,
      closed_by_target: this.closedByTarget.toJSON(),
      errors_by_code: this.errorsByCode.toJSON(),
      http: this.http.toJSON(),
    };
  }
}
