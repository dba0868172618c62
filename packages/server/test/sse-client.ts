import http from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * A minimal SSE reader over node:http for tests: collects events and comments, lets a test
 * wait for the next event matching a predicate, and reports when the server closed the stream.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  comments = 0;
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  closed = false;
  #buffer = '';
  #waiters: { pred: (e: SseEvent) => boolean; from: number; resolve: (e: SseEvent) => void }[] = [];
  #closeWaiters: (() => void)[] = [];
  readonly req: http.ClientRequest;
  readonly ready: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    let onReady: () => void = () => {};
    this.ready = new Promise((r) => {
      onReady = r;
    });
    this.req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.#feed(chunk));
      res.on('close', () => this.#close());
      onReady();
    });
    this.req.on('error', () => {
      onReady();
      this.#close();
    });
  }

  #feed(chunk: string) {
    this.#buffer += chunk;
    let end = this.#buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      end = this.#buffer.indexOf('\n\n');
      if (block.startsWith(':')) {
        this.comments++;
        continue;
      }
      const e: SseEvent = { event: 'message', data: '', id: undefined };
      for (const line of block.split('\n')) {
        const i = line.indexOf(':');
        const field = line.slice(0, i);
        const value = line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') e.event = value;
        else if (field === 'data') e.data += value;
        else if (field === 'id') e.id = value;
      }
      this.events.push(e);
      for (const w of [...this.#waiters]) {
        if (this.events.length - 1 >= w.from && w.pred(e)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  }

  #close() {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.#closeWaiters) c();
  }

  /** Index after the last event `next` returned: each call consumes events in order. */
  #cursor = 0;

  /** The first not yet consumed event (received already or still to come) that matches. */
  next(pred: (e: SseEvent) => boolean = () => true, timeoutMs = 5000): Promise<SseEvent> {
    const from = this.#cursor;
    const at = this.events.findIndex((e, i) => i >= from && pred(e));
    if (at >= 0) {
      this.#cursor = at + 1;
      return Promise.resolve(this.events[at] as SseEvent);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no matching SSE event in ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(from))}`)),
        timeoutMs,
      );
      this.#waiters.push({
        pred,
        from,
        resolve: (e) => {
          clearTimeout(timer);
          this.#cursor = this.events.indexOf(e) + 1;
          resolve(e);
        },
      });
    });
  }

  whenClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stream still open')), timeoutMs);
      this.#closeWaiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  close() {
    this.req.destroy();
  }
}
