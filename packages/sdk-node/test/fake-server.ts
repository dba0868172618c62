/**
 * A small fake Vexil stream node (node:http) that tests control completely: what the stream
 * sends and when it breaks, what polls answer, and every events payload received. Defaults
 * follow docs/wire-protocol.md; each handler can be replaced.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { EventPayload } from '../src/index.js';

export interface FakeSnapshot {
  environmentId: string;
  seq: number;
  flags: Record<string, unknown>;
  segments: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export const boolFlag = (key: string, on: boolean, version = 1, extra: Record<string, unknown> = {}) => ({
  key,
  version,
  kind: 'boolean',
  variations: [{ value: false }, { value: true }],
  on,
  offVariation: 0,
  fallthrough: { variation: 1 },
  ...extra,
});

export class FakeVexil {
  readonly server: http.Server;
  port = 0;
  snapshot: FakeSnapshot = { environmentId: 'env-1', seq: 1, flags: {}, segments: {} };
  readonly requests: RecordedRequest[] = [];
  /** Open stream responses. */
  readonly streams = new Set<ServerResponse>();
  /** Decoded events payloads (gunzipped JSON). */
  readonly eventPayloads: { headers: http.IncomingHttpHeaders; body: EventPayload }[] = [];
  readonly #sockets = new Set<Socket>();

  /** GET /sdk/v1/stream; default: a put of the snapshot, then stay open. */
  onStream: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    this.openStream(res);
    res.write(this.putFrame());
  };
  /** GET /sdk/v1/flags; default: the snapshot with ETag "seq", 304 when it matches. */
  onFlags: (req: IncomingMessage, res: ServerResponse) => void = (req, res) => {
    const etag = `"${this.snapshot.seq}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify(this.snapshot));
  };
  /** POST /events/v1/bulk; default 202. */
  eventsStatus = 202;
  /** Reply for requests with a wrong key. */
  validKey = 'vxs_test';

  constructor() {
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and cuts every connection (the server is "down"). */
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.streams.clear();
  }

  /** Listens again on the same port. */
  restart(): Promise<this> {
    return this.start(this.port);
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  putFrame(): string {
    return `id: ${this.snapshot.seq}\nevent: put\ndata: ${JSON.stringify(this.snapshot)}\n\n`;
  }

  openStream(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  /** Writes raw text to every open stream. */
  broadcast(text: string): void {
    for (const s of this.streams) s.write(text);
  }

  /** Changes a flag and sends the patch to every open stream. */
  patchFlag(flag: { key: string; version: number } & Record<string, unknown>): void {
    this.snapshot.seq++;
    this.snapshot.flags[flag.key] = flag;
    this.broadcast(
      `id: ${this.snapshot.seq}\nevent: patch\ndata: ${JSON.stringify({ kind: 'flag', key: flag.key, version: flag.version, data: flag })}\n\n`,
    );
  }

  deleteFlag(key: string): void {
    this.snapshot.seq++;
    delete this.snapshot.flags[key];
    this.broadcast(`id: ${this.snapshot.seq}\nevent: delete\ndata: ${JSON.stringify({ kind: 'flag', key })}\n\n`);
  }

  /** Destroys every open stream's connection. */
  cutStreams(): void {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.stop();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    if (req.headers.authorization !== this.validKey) {
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end('{"code":"unauthenticated"}');
      return;
    }
    if (path === '/sdk/v1/stream') {
      this.onStream(req, res);
      return;
    }
    if (path === '/sdk/v1/flags') {
      this.onFlags(req, res);
      return;
    }
    if (path === '/events/v1/bulk' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
        if (this.eventsStatus < 300) this.eventPayloads.push({ headers: req.headers, body: JSON.parse(text) });
        res.writeHead(this.eventsStatus).end();
      });
      return;
    }
    res.writeHead(404).end();
  }
}

/** Resolves when `pred` holds (checked every 5 ms), rejects after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
