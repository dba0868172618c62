/**
 * A server-sent-events parser (the WHATWG "event stream interpretation"), fed decoded text in
 * chunks of any size: lines end in CRLF, LF or CR (a CR at the end of one chunk and an LF at the
 * start of the next are one line end); `data` lines accumulate; a blank line dispatches; lines
 * starting with ':' are comments (heartbeats); an event still incomplete when the stream ends is
 * never dispatched. The last event ID persists across events, as the spec says.
 */
export interface SseMessage {
  /** `message` when the event had no `event:` field. */
  event: string;
  data: string;
  /** This event's own `id:` field, if it had one. */
  id: string | undefined;
  /** The last event ID at dispatch time (may come from an earlier event). */
  lastEventId: string | undefined;
}

export interface SseHandlers {
  event(message: SseMessage): void;
  comment?(text: string): void;
  /** A `retry:` field: the server's suggested reconnection delay. */
  retry?(ms: number): void;
}

export class SseLimitError extends Error {}

export class SseParser {
  #partial: string[] = [];
  #partialChars = 0;
  #afterCR = false;
  #started = false;
  #event = '';
  #data: string[] = [];
  #hasData = false;
  #id: string | undefined;
  /** The spec's "last event ID buffer": set by id fields, copied to the last event ID at each blank line. */
  #idBuffer: string | undefined;
  #lastEventId: string | undefined;
  #pendingChars = 0;

  /** `maxEventChars`: an event (or a line) longer than this is refused (a garbage stream must not fill memory). */
  constructor(
    private readonly handlers: SseHandlers,
    private readonly maxEventChars = 64 * 1024 * 1024,
  ) {}

  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Feeds decoded text. Throws SseLimitError when an event exceeds the size limit. */
  feed(chunk: string): void {
    if (!this.#started && chunk.length > 0) {
      this.#started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let start = 0;
    if (this.#afterCR) {
      this.#afterCR = false;
      if (chunk.charCodeAt(0) === 10) start = 1;
    }
    const n = chunk.length;
    for (let i = start; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      let line = chunk.slice(start, i);
      if (this.#partial.length > 0) {
        // A long line arrives in many chunks: its pieces are joined once, at its end.
        line = this.#partial.join('') + line;
        this.#partial = [];
        this.#partialChars = 0;
      }
      this.#line(line);
      if (c === 13) {
        if (i + 1 < n) {
          if (chunk.charCodeAt(i + 1) === 10) i++;
        } else this.#afterCR = true;
      }
      start = i + 1;
    }
    if (start < n) {
      this.#partial.push(start === 0 ? chunk : chunk.slice(start));
      this.#partialChars += n - start;
      if (this.#partialChars + this.#pendingChars > this.maxEventChars) {
        this.reset();
        throw new SseLimitError(`an SSE event or line longer than ${this.maxEventChars} characters`);
      }
    }
  }

  /** Drops any partial line or event (a new connection starts clean; the last dispatched event ID is kept). */
  reset(): void {
    this.#partial = [];
    this.#partialChars = 0;
    this.#afterCR = false;
    this.#started = false;
    this.#event = '';
    this.#data = [];
    this.#hasData = false;
    this.#id = undefined;
    this.#idBuffer = this.#lastEventId;
    this.#pendingChars = 0;
  }

  #line(line: string): void {
    if (line.length === 0) {
      this.#dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      this.handlers.comment?.(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon < 0) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#hasData = true;
        this.#pendingChars += value.length + 1;
        if (this.#pendingChars > this.maxEventChars) {
          this.reset();
          throw new SseLimitError(`an SSE event longer than ${this.maxEventChars} characters`);
        }
        break;
      case 'id':
        if (!value.includes('\u0000')) this.#id = this.#idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.retry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored.
    }
  }

  #dispatch(): void {
    this.#lastEventId = this.#idBuffer;
    const event = this.#event || 'message';
    const hasData = this.#hasData;
    const data = this.#data.join('\n');
    const id = this.#id;
    this.#id = undefined;
    this.#event = '';
    this.#data = [];
    this.#hasData = false;
    this.#pendingChars = 0;
    if (!hasData) return;
    this.handlers.event({ event, data, id, lastEventId: this.#lastEventId });
  }
}
