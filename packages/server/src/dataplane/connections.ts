import type { ServerResponse } from 'node:http';
import { HEARTBEAT, SseClient } from './sse.js';

export interface ConnectionOptions {
  maxPerCredential: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  /**
   * Which of these credentials no longer work (expired after a rotation's grace period, or
   * revoked while the bus was down): their streams are closed. Asked every `recheckMs`.
   */
  inactive?: (credentialIds: string[]) => Promise<string[]>;
  recheckMs?: number;
}

/**
 * Every open stream of a node, by credential: enforces the per-credential limit, sends one
 * heartbeat round for all connections from a single timer, and closes a credential's streams
 * when it is revoked.
 */
export class StreamConnections {
  readonly #byCredential = new Map<string, Set<SseClient>>();
  readonly #timer: NodeJS.Timeout;
  /** Refusals because of the limit and disconnections of slow readers, for metrics. */
  readonly stats = { refused: 0, slowDisconnects: 0 };

  readonly #recheck: NodeJS.Timeout | undefined;

  constructor(readonly opts: ConnectionOptions) {
    this.#timer = setInterval(() => this.#heartbeat(), opts.heartbeatMs);
    this.#timer.unref();
    if (opts.inactive) {
      this.#recheck = setInterval(() => void this.recheck(), opts.recheckMs ?? 30_000);
      this.#recheck.unref();
    }
  }

  /** Closes the streams of credentials that stopped working; a failed check changes nothing. */
  async recheck(): Promise<void> {
    const ids = [...this.#byCredential.keys()];
    if (ids.length === 0 || !this.opts.inactive) return;
    try {
      for (const id of await this.opts.inactive(ids)) this.closeCredential(id);
    } catch {
      // Store unreachable: keep serving; the next round asks again.
    }
  }

  get size(): number {
    let n = 0;
    for (const s of this.#byCredential.values()) n += s.size;
    return n;
  }

  count(credentialId: string): number {
    return this.#byCredential.get(credentialId)?.size ?? 0;
  }

  /** Registers a stream, or returns undefined when the credential is at its limit. */
  open(credentialId: string, res: ServerResponse, onClose: () => void): SseClient | undefined {
    let set = this.#byCredential.get(credentialId);
    if ((set?.size ?? 0) >= this.opts.maxPerCredential) {
      this.stats.refused++;
      return undefined;
    }
    if (!set) this.#byCredential.set(credentialId, (set = new Set()));
    const own = set;
    const client: SseClient = new SseClient(res, {
      maxBufferedBytes: this.opts.maxBufferedBytes,
      onClose: () => {
        if (client.slow) this.stats.slowDisconnects++;
        own.delete(client);
        if (own.size === 0) this.#byCredential.delete(credentialId);
        onClose();
      },
    });
    own.add(client);
    return client;
  }

  closeCredential(credentialId: string): void {
    for (const c of [...(this.#byCredential.get(credentialId) ?? [])]) c.close();
  }

  #heartbeat(): void {
    for (const set of this.#byCredential.values()) for (const c of set) c.send(HEARTBEAT);
  }

  closeAll(): void {
    clearInterval(this.#timer);
    if (this.#recheck) clearInterval(this.#recheck);
    for (const set of [...this.#byCredential.values()]) for (const c of [...set]) c.close();
  }
}
