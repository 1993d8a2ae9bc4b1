import type { MeasuredStructure } from '@steadystate/lifecycle';
import { WebSocket } from 'ws';
import type { ClientConnection } from './client-connection.js';

/**
 * The connected clients, their per-client metrics (kept on the client, so they go with it) and
 * the set of clients currently behind. Bounded by WS_MAX_CONNECTIONS.
 */
export class ClientRegistry implements MeasuredStructure {
  readonly name = 'clients';
  readonly capacity: number;
  readonly #clients = new Map<string, ClientConnection>();
  readonly #behind = new Set<ClientConnection>();
  #sequence = 0;

  constructor(maxConnections: number) {
    this.capacity = maxConnections;
  }

  get size(): number {
    return this.#clients.size;
  }

  get full(): boolean {
    return this.#clients.size >= this.capacity;
  }

  /** A fresh connection id; sequential, so it reveals nothing about anyone. */
  nextId(): string {
    this.#sequence++;
    return `c${this.#sequence}`;
  }

  add(client: ClientConnection): void {
    this.#clients.set(client.id, client);
  }

  /** Removes the client and everything kept about it. */
  remove(client: ClientConnection): boolean {
    this.#behind.delete(client);
    return this.#clients.delete(client.id);
  }

  markBehind(client: ClientConnection): void {
    if (this.#clients.has(client.id)) this.#behind.add(client);
  }

  /** Clients currently behind; the slow-consumer check iterates and removes from it. */
  get behind(): Set<ClientConnection> {
    return this.#behind;
  }

  values(): IterableIterator<ClientConnection> {
    return this.#clients.values();
  }

  /** Authenticated clients. */
  authenticated(): number {
    let count = 0;
    for (const client of this.#clients.values()) if (client.userId !== undefined) count++;
    return count;
  }

  /**
   * Drops entries whose socket is closed (memory cleanup). A close event always removes its
   * client; this is the check that nothing slipped past it. Returns how many were dropped.
   */
  pruneClosed(onPruned: (client: ClientConnection) => void): number {
    let pruned = 0;
    for (const client of [...this.#clients.values()]) {
      if (client.ws.readyState !== WebSocket.CLOSED) continue;
      this.remove(client);
      onPruned(client);
      pruned++;
    }
    return pruned;
  }
}
