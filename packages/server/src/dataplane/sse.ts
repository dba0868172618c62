import type { ServerResponse } from 'node:http';

/** One SSE event, already framed: built once per change and written to every subscriber. */
export function sseEvent(event: string, data: string, id?: number): string {
  // Data never contains a raw newline: JSON.stringify escapes them.
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

export const HEARTBEAT = ': ping\n\n';

export interface SseClientOptions {
  /** Bytes a client may fall behind before it is cut off (it then resumes with Last-Event-ID). */
  maxBufferedBytes: number;
  onClose: () => void;
}

/**
 * A server-sent-events connection with a bounded send buffer: a slow or stalled reader never
 * makes the server hold more than `maxBufferedBytes` for it, and never delays other clients,
 * because writes do not wait.
 */
export class SseClient {
  #closed = false;
  /** True when the client was cut off for falling too far behind. */
  slow = false;
  constructor(
    readonly res: ServerResponse,
    private readonly opts: SseClientOptions,
  ) {
    res.on('close', () => this.close());
    res.on('error', () => this.close());
  }

  get closed() {
    return this.#closed;
  }

  send(frame: string): void {
    if (this.#closed) return;
    if (this.res.writableLength > this.opts.maxBufferedBytes) {
      this.slow = true;
      this.close();
      return;
    }
    this.res.write(frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.res.destroy();
    this.opts.onClose();
  }
}
