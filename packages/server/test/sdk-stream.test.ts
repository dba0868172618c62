import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { startTestServer, storeKinds, type TestServer } from './harness.js';
import { SseReader } from './sse-client.js';

const base = '/api/v1/projects/default';

for (const kind of await storeKinds()) {
  describe(`server SDK endpoints on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let url: string;
    let serverKey: string;
    let serverKeyId: string;
    let clientId: string;
    before(async () => {
      s = await startTestServer(kind, {
        stream: { heartbeatMs: 200, maxPerCredential: 3, maxBufferedBytes: 64 * 1024 },
      });
      await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
      const addr = s.vexil.http.server.address() as net.AddressInfo;
      url = `http://127.0.0.1:${addr.port}`;
      const sk = await s.call('POST', `${base}/environments/production/keys`, { body: { kind: 'server' } });
      assert.equal(sk.status, 201, JSON.stringify(sk.body));
      serverKey = sk.body.key;
      serverKeyId = sk.body.id;
      const ck = await s.call('POST', `${base}/environments/production/keys`, { body: { kind: 'client' } });
      clientId = ck.body.key;
      await s.call('POST', `${base}/flags`, { body: { key: 'alpha', name: 'Alpha' } });
    });
    after(async () => {
      await s?.close();
    });

    const toggle = (key: string, on: boolean) =>
      s.call('PATCH', `${base}/flags/${key}/environments/production`, {
        body: { instructions: [{ kind: on ? 'turnFlagOn' : 'turnFlagOff' }] },
      });

    test('the snapshot: full flags, ETag and 304, gzip on request', async () => {
      const res = await fetch(`${url}/sdk/v1/flags`, {
        headers: { authorization: serverKey, 'accept-encoding': 'identity' },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { seq: number; flags: Record<string, { key: string; rules: unknown[] }> };
      assert.equal(body.flags.alpha?.key, 'alpha');
      const etag = res.headers.get('etag') as string;
      const again = await fetch(`${url}/sdk/v1/flags`, {
        headers: { authorization: serverKey, 'if-none-match': etag },
      });
      assert.equal(again.status, 304);
      await toggle('alpha', true);
      await s.vexil.publisher?.kick();
      const changed = await fetch(`${url}/sdk/v1/flags`, {
        headers: { authorization: `Bearer ${serverKey}`, 'if-none-match': etag },
      });
      assert.equal(changed.status, 200, 'a change invalidates the ETag');
      const raw = await new Promise<Buffer>((resolve) => {
        import('node:http').then(({ get }) =>
          get(`${url}/sdk/v1/flags`, { headers: { authorization: serverKey, 'accept-encoding': 'gzip' } }, (r) => {
            assert.equal(r.headers['content-encoding'], 'gzip');
            const chunks: Buffer[] = [];
            r.on('data', (c) => chunks.push(c));
            r.on('end', () => resolve(Buffer.concat(chunks)));
          }),
        );
      });
      assert.equal(JSON.parse(gunzipSync(raw).toString()).flags.alpha.on, true);
    });

    test('refuses missing, unknown and client-side credentials', async () => {
      assert.equal((await fetch(`${url}/sdk/v1/flags`)).status, 401);
      assert.equal((await fetch(`${url}/sdk/v1/flags`, { headers: { authorization: 'vxs_notakey' } })).status, 401);
      const client = await fetch(`${url}/sdk/v1/flags`, { headers: { authorization: clientId } });
      assert.equal(client.status, 403);
      assert.equal(client.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    });

    test('stream: put on connect, then each change as a patch with the next sequence number', async () => {
      const sse = new SseReader(`${url}/sdk/v1/stream`, { authorization: serverKey });
      const put = await sse.next((e) => e.event === 'put');
      const snapshot = JSON.parse(put.data);
      assert.equal(Number(put.id), snapshot.seq);
      const started = performance.now();
      await toggle('alpha', false);
      const patch = await sse.next((e) => e.event === 'patch');
      const ms = performance.now() - started;
      assert.equal(Number(patch.id), snapshot.seq + 1);
      const data = JSON.parse(patch.data);
      assert.deepEqual([data.kind, data.key, data.data.on], ['flag', 'alpha', false]);
      assert.ok(ms < 1000, `update took ${ms} ms to arrive`);
      await new Promise((r) => setTimeout(r, 450));
      assert.ok(sse.comments >= 1, 'heartbeat comments keep idle streams open');
      sse.close();
    });

    test('resume with Last-Event-ID: exactly the missed changes, no put; too old: a fresh put', async () => {
      const first = new SseReader(`${url}/sdk/v1/stream`, { authorization: serverKey });
      const put = await first.next((e) => e.event === 'put');
      first.close();
      await s.call('POST', `${base}/flags`, { body: { key: 'beta', name: 'Beta' } });
      await toggle('beta', true);
      await s.vexil.publisher?.kick();
      const resumed = new SseReader(`${url}/sdk/v1/stream`, {
        authorization: serverKey,
        'last-event-id': put.id as string,
      });
      const a = await resumed.next();
      const b = await resumed.next();
      assert.deepEqual(
        [a.event, Number(a.id), b.event, Number(b.id)],
        ['patch', Number(put.id) + 1, 'patch', Number(put.id) + 2],
      );
      assert.equal(JSON.parse(b.data).data.on, true);
      resumed.close();
      const ancient = new SseReader(`${url}/sdk/v1/stream`, { authorization: serverKey, 'last-event-id': '0' });
      const e = await ancient.next();
      assert.equal(e.event, 'put');
      ancient.close();
    });

    test('a stalled reader is cut off at its buffer bound while others keep receiving', async () => {
      // A raw socket that never reads: the server's writes pile up in its buffer.
      const stalled = net.connect(Number(new URL(url).port), '127.0.0.1');
      stalled.pause();
      stalled.write(`GET /sdk/v1/stream HTTP/1.1\r\nhost: x\r\nauthorization: ${serverKey}\r\n\r\n`);
      const healthy = new SseReader(`${url}/sdk/v1/stream`, { authorization: serverKey });
      await healthy.next((e) => e.event === 'put');
      await new Promise((r) => setTimeout(r, 100));
      // Each change carries ~250 KB of targeting: 40 of them overflow the kernel's socket buffers
      // and then the 64 KB bound.
      const values = Array.from({ length: 250 }, (_, i) => `${'x'.repeat(1000)}${i}`);
      for (let i = 0; i < 40; i++) {
        const res = await s.call('PUT', `${base}/flags/alpha/environments/production`, {
          body: {
            on: i % 2 === 0,
            fallthrough: { variation: 0 },
            rules: [{ id: 'big', clauses: [{ attribute: 'name', op: 'in', values }], serve: { variation: 1 } }],
          },
        });
        assert.equal(res.status, 200);
      }
      await s.vexil.publisher?.kick();
      for (let i = 0; i < 40; i++) await healthy.next((e) => e.event === 'patch');
      await new Promise((r) => setTimeout(r, 300));
      assert.ok((s.vexil.connections?.stats.slowDisconnects ?? 0) >= 1, 'the stalled reader was disconnected');
      healthy.close();
      stalled.destroy();
    });

    test('an HTTP/1.0 client gets the same events, unchunked, until the server closes', async () => {
      const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => {
        text += d;
      });
      const until = async (pred: () => boolean) => {
        for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(pred(), `got: ${JSON.stringify(text.slice(0, 400))}`);
      };
      socket.write(`GET /sdk/v1/stream HTTP/1.0\r\nauthorization: ${serverKey}\r\n\r\n`);
      await until(() => text.includes('event: put'));
      const [head, body] = text.split('\r\n\r\n') as [string, string];
      assert.match(head, /^HTTP\/1\.1 200/);
      assert.doesNotMatch(head, /transfer-encoding/i);
      assert.match(body, /^id: \d+\nevent: put\ndata: \{/, 'events start the body, with no chunk sizes');
      await toggle('alpha', true);
      await s.vexil.publisher?.kick();
      await until(() => text.includes('event: patch'));
      assert.match(
        text.slice(text.indexOf('event: put')),
        /\n\nid: \d+\nevent: patch\ndata: \{"kind":"flag","key":"alpha"/,
      );
      socket.destroy();
    });

    test('connection limit per key, reported as 429', async () => {
      const open = [0, 1, 2].map(() => new SseReader(`${url}/sdk/v1/stream`, { authorization: serverKey }));
      await Promise.all(open.map((o) => o.next((e) => e.event === 'put')));
      const extra = await fetch(`${url}/sdk/v1/stream`, { headers: { authorization: serverKey } });
      assert.equal(extra.status, 429);
      assert.ok(extra.headers.get('retry-after'));
      for (const o of open) o.close();
    });

    test('a key rotated with a grace period stops streaming when the grace ends', async () => {
      const created = await s.call('POST', `${base}/environments/production/keys`, { body: { kind: 'server' } });
      const sse = new SseReader(`${url}/sdk/v1/stream`, { authorization: created.body.key });
      await sse.next((e) => e.event === 'put');
      const rotated = await s.call('POST', `${base}/environments/production/keys/${created.body.id}/rotate`, {
        body: { gracePeriodSeconds: 1 },
      });
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      await s.vexil.connections?.recheck();
      assert.equal(sse.closed, false, 'still within the grace period');
      await new Promise((r) => setTimeout(r, 1100));
      await s.vexil.connections?.recheck();
      await sse.whenClosed();
    });

    test('revoking a key closes its open streams', async () => {
      const sse = new SseReader(`${url}/sdk/v1/stream`, { authorization: serverKey });
      await sse.next((e) => e.event === 'put');
      assert.equal((await s.call('DELETE', `${base}/environments/production/keys/${serverKeyId}`)).status, 204);
      await sse.whenClosed();
      assert.equal((await fetch(`${url}/sdk/v1/flags`, { headers: { authorization: serverKey } })).status, 401);
    });
  });
}
