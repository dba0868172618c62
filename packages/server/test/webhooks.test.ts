import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const base = '/api/v1/projects/default';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real HTTP receiver: records every request; answers with the next status of `plan` (then 200). */
class Receiver {
  readonly requests: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  plan: number[] = [];
  readonly server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      this.requests.push({ headers: req.headers, body });
      res.statusCode = this.plan.shift() ?? 200;
      res.end();
    });
  });
  url = '';
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async until(n: number, ms = 5000) {
    for (let t = 0; this.requests.length < n && t < ms / 20; t++) await sleep(20);
    assert.ok(this.requests.length >= n, `expected ${n} requests, got ${this.requests.length}`);
  }
  close() {
    this.server.closeAllConnections();
    this.server.close();
  }
}

for (const kind of await storeKinds()) {
  describe(`webhooks on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    const receivers: Receiver[] = [];
    const receiver = async () => {
      const r = new Receiver();
      await r.start();
      receivers.push(r);
      return r;
    };
    before(async () => {
      s = await startTestServer(kind, { webhooks: { pollMs: 50, retryDelaysS: [0.05, 0.05, 0.05] } });
      assert.equal((await s.call('POST', `${base}/flags`, { body: { key: 'hooked', name: 'Hooked' } })).status, 201);
    });
    after(async () => {
      for (const r of receivers) r.close();
      await s?.close();
    });
    const create = async (url: string, events?: string[]) => {
      const res = await s.call('POST', `${base}/webhooks`, {
        body: { name: 'ci', url, ...(events ? { events } : {}) },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: string; secret: string; secretHint: string };
    };
    const toggle = (on: boolean, comment: string) =>
      s.call('PATCH', `${base}/flags/hooked/environments/production`, {
        body: { instructions: [{ kind: on ? 'turnFlagOn' : 'turnFlagOff' }], comment },
      });
    const deliveries = async (id: string) =>
      (await s.call('GET', `${base}/webhooks/${id}/deliveries`)).body.items as {
        status: string;
        attempts: number;
        lastStatus: number | null;
        lastError: string | null;
        action: string;
      }[];

    test('a flag change is POSTed to the webhook, signed, with who, what, where, why, before and after', async () => {
      const r = await receiver();
      const hook = await create(r.url, ['flag.*']);
      assert.match(hook.secret, /^whsec_/);
      const listed = await s.call('GET', `${base}/webhooks`);
      assert.ok(!JSON.stringify(listed.body).includes(hook.secret), 'the secret is shown once only');
      const audit = await s.db.query<{ after: unknown }>(
        "SELECT after FROM audit_events WHERE action = 'webhook.create'",
      );
      assert.ok(!JSON.stringify(audit).includes(hook.secret), 'nor audited');

      assert.equal((await toggle(true, 'ship it')).status, 200);
      await r.until(1);
      const [req] = r.requests;
      assert.ok(req);
      assert.equal(req.headers['content-type'], 'application/json');
      assert.equal(req.headers['vexil-event'], 'flag.config.update');
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['vexil-signature']));
      assert.ok(m, String(req.headers['vexil-signature']));
      const expected = createHmac('sha256', hook.secret).update(`${m[1]}.${req.body}`).digest('hex');
      assert.equal(m[2], expected, 'HMAC-SHA256 of "<t>.<body>" with the secret');
      const event = JSON.parse(req.body);
      assert.equal(event.project, 'default');
      assert.deepEqual(event.resource, { type: 'flag', key: 'hooked' });
      assert.equal(event.environment, 'production');
      assert.equal(event.comment, 'ship it');
      assert.equal(event.actor.type, 'token');
      assert.deepEqual([event.before.on, event.after.on], [false, true]);
      const [row] = await s.db.query<{ id: number }>(
        "SELECT id FROM audit_events WHERE action = 'flag.config.update' ORDER BY id DESC LIMIT 1",
      );
      assert.equal(event.id, Number(row?.id), 'the audit event it reports');

      // Not subscribed: a segment change sends nothing.
      await s.call('POST', `${base}/environments/production/segments`, { body: { key: 'quiet', name: 'Quiet' } });
      await sleep(300);
      assert.equal(r.requests.length, 1);
      const list = await deliveries(hook.id);
      assert.deepEqual(
        list.map((d) => [d.action, d.status, d.attempts, d.lastStatus]),
        [['flag.config.update', 'delivered', 1, 200]],
      );
      await s.call('DELETE', `${base}/webhooks/${hook.id}`);
    });

    test('a failing receiver is retried until it answers 2xx; one that never does is marked failed', async () => {
      const flaky = await receiver();
      flaky.plan = [500, 503];
      const hook = await create(flaky.url, ['flag.*']);
      assert.equal((await toggle(false, 'retry me')).status, 200);
      await flaky.until(3);
      let list = await deliveries(hook.id);
      for (let t = 0; list[0]?.status !== 'delivered' && t < 100; t++) {
        await sleep(20);
        list = await deliveries(hook.id);
      }
      assert.deepEqual([list[0]?.status, list[0]?.attempts, list[0]?.lastStatus], ['delivered', 3, 200]);
      const ids = new Set(flaky.requests.map((q) => q.headers['vexil-delivery']));
      assert.equal(ids.size, 1, 'every attempt carries the same delivery id, for deduplication');
      await s.call('DELETE', `${base}/webhooks/${hook.id}`);

      const down = await receiver();
      down.plan = [500, 500, 500, 500, 500];
      const doomed = await create(down.url, ['flag.*']);
      assert.equal((await toggle(true, 'never acknowledged')).status, 200);
      await down.until(4);
      let failed = await deliveries(doomed.id);
      for (let t = 0; failed[0]?.status !== 'failed' && t < 100; t++) {
        await sleep(20);
        failed = await deliveries(doomed.id);
      }
      assert.deepEqual([failed[0]?.status, failed[0]?.attempts, failed[0]?.lastError], ['failed', 4, 'HTTP 500']);
      await sleep(300);
      assert.equal(down.requests.length, 4, 'no attempts after giving up');
      await s.call('DELETE', `${base}/webhooks/${doomed.id}`);
    });

    test('the delivery is committed with the change; a deleted or inactive webhook gets nothing new', async () => {
      const r = await receiver();
      r.plan = [500, 500, 500, 500];
      const hook = await create(r.url, ['flag.*']);
      const res = await toggle(false, 'durable');
      assert.equal(res.status, 200);
      const [queued] = await s.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1',
        [hook.id],
      );
      assert.equal(queued?.n, 1, 'queued in the same transaction as the change');
      const paused = await s.call('PATCH', `${base}/webhooks/${hook.id}`, { body: { active: false } });
      assert.equal(paused.status, 200);
      assert.equal(paused.body.active, false);
      await toggle(true, 'while paused');
      const [still] = await s.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1',
        [hook.id],
      );
      assert.equal(still?.n, 1, 'an inactive webhook queues nothing');
      assert.equal((await s.call('DELETE', `${base}/webhooks/${hook.id}`)).status, 204);
      assert.equal((await s.call('GET', `${base}/webhooks/${hook.id}/deliveries`)).status, 404);
    });

    test('several dispatchers on one store never send a delivery twice', {
      skip: kind.name === 'pglite' ? 'one embedded connection: nothing runs concurrently' : undefined,
    }, async () => {
      const r = await receiver();
      const hook = await create(r.url, ['flag.*']);
      // Queued while no dispatcher runs: the server's own is closed first.
      await s.vexil.dispatcher?.close();
      for (let i = 0; i < 30; i++) assert.equal((await toggle(i % 2 === 0, `burst ${i}`)).status, 200);
      const racers = [0, 1, 2].map(() => new WebhookDispatcher({ db: s.db, pollMs: 10 }));
      try {
        await Promise.all(racers.map((d) => d.kick()));
        await r.until(30);
        await sleep(300);
      } finally {
        await Promise.all(racers.map((d) => d.close()));
      }
      const ids = r.requests.map((q) => q.headers['vexil-delivery']);
      assert.equal(ids.length, 30, `${ids.length} requests for 30 deliveries`);
      assert.equal(new Set(ids).size, 30);
      const sent = racers.map((d) => d.stats.delivered);
      assert.equal(
        sent.reduce((a, b) => a + b, 0),
        30,
        `split between dispatchers: ${sent.join(' / ')}`,
      );
      await s.call('DELETE', `${base}/webhooks/${hook.id}`);
    });

    test('bad input: the path of every bad field', async () => {
      const res = await s.call('POST', `${base}/webhooks`, {
        body: { name: '', url: 'ftp://example.com', events: ['not an event'] },
      });
      assert.equal(res.status, 400);
      const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
      assert.deepEqual(paths, ['/events/0', '/name', '/url']);
    });
  });
}
