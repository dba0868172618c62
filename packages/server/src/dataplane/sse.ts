import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * One SSE event, encoded once however many streams it goes to: the event's bytes, held inside the
 * same bytes framed as one HTTP/1.1 chunk. A change reaches thousands of streams, and encoding it
 * per stream (UTF-8, chunk header, a three-part writev) was most of a stream node's own CPU.
 */
export class SseFrame {
  /** `<hex length>\r\n<event>\r\n`: written as is to a chunked response. */
  readonly chunk: Buffer;
  /** The event alone, for a response that is not chunked (an HTTP/1.0 client). */
  readonly bytes: Buffer;

  constructor(text: string) {
    const body = Buffer.from(text, 'utf8');
    this.chunk = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`, 'latin1'), body, CRLF]);
    this.bytes = this.chunk.subarray(this.chunk.length - 2 - body.length, this.chunk.length - 2);
  }
}

/** One SSE event, framed. Data never contains a raw newline: JSON.stringify escapes them. */
export function sseEvent(event: string, data: string, id?: number): SseFrame {
  return new SseFrame(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`);
}

export const HEARTBEAT = new SseFrame(': ping\n\n');

export interface SseClientOptions {
  /** Bytes a client may fall behind before it is cut off (it then resumes with Last-Event-ID). */
  maxBufferedBytes: number;
  onClose: () => void;
}

/**
 * A server-sent-events connection with a bounded send buffer: a slow or stalled reader never
 * makes the server hold more than `maxBufferedBytes` for it, and never delays other clients,
 * because writes do not wait.
 *
 * The response head goes out at once; after it, events are written to the socket directly as
 * pre-encoded chunks. ServerResponse.write would encode and frame each event again for every
 * stream, for bytes that are the same on all of them.
 */
export class SseClient {
  #closed = false;
  /** True when the client was cut off for falling too far behind. */
  slow = false;
  readonly #socket: Socket | null;
  readonly #chunked: boolean;

  constructor(
    readonly res: ServerResponse,
    private readonly opts: SseClientOptions,
  ) {
    res.on('close', () => this.close());
    res.on('error', () => this.close());
    res.flushHeaders();
    this.#socket = res.socket;
    // Node frames a response without a length as chunks unless the client spoke HTTP/1.0.
    this.#chunked = res.chunkedEncoding !== false;
    if (!this.#socket || this.#socket.destroyed) this.close();
  }

  get closed() {
    return this.#closed;
  }

  send(frame: SseFrame): void {
    if (this.#closed) return;
    const socket = this.#socket as Socket;
    if (socket.writableLength > this.opts.maxBufferedBytes) {
      this.slow = true;
      this.close();
      return;
    }
    socket.write(this.#chunked ? frame.chunk : frame.bytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.res.destroy();
    this.opts.onClose();
  }
}
