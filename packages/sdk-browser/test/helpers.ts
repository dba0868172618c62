import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlagState, FlagValues } from '../src/index.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** `Storage` in memory, for Node (localStorage's interface). */
export class MemoryStorage implements Storage {
  private readonly m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
}

export const flag = (value: unknown, variation: number | null = 0, version = 1): FlagState => ({
  value,
  variation,
  version,
});

/** What a fake client-side endpoint serves: values per context key; events received; request log. */
export class FakeVexil {
  server: Server = createServer((req, res) => this.handle(req, res));
  url = '';
  values = new Map<string, FlagValues>();
  eventsStatus = 202;
  eventBodies: { events: { kind: string; key?: string; flagKey?: string }[]; dropped?: number }[] = [];
  requests: string[] = [];
  evaluateDelayMs = 0;
  failEvaluate = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const u = new URL(req.url ?? '/', this.url);
    this.requests.push(`${req.method} ${u.pathname}`);
    if (u.pathname === '/client/v1/evaluate') {
      if (this.failEvaluate) {
        res.writeHead(this.failEvaluate).end();
        return;
      }
      const ctx = JSON.parse(Buffer.from(u.searchParams.get('context') ?? '', 'base64url').toString()) as {
        key: string;
      };
      if (this.evaluateDelayMs) await sleep(this.evaluateDelayMs);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.values.get(ctx.key) ?? { flags: {} }));
      return;
    }
    if (u.pathname === '/events/v1/bulk') {
      let body = '';
      for await (const chunk of req) body += chunk;
      this.eventBodies.push(JSON.parse(body));
      res.writeHead(this.eventsStatus).end();
      return;
    }
    res.writeHead(404).end();
  }

  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A stand-in for the browser's EventSource: tests deliver `put`/`patch` and failures by hand. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onerror: (() => void) | null = null;
  closed = false;
  private readonly handlers = new Map<string, ((e: { data: string }) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, fn: (e: { data: string }) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), fn]);
  }
  emit(type: string, data: unknown) {
    this.readyState = 1;
    for (const fn of this.handlers.get(type) ?? []) fn({ data: JSON.stringify(data) });
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.();
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}
