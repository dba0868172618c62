import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestServer, storeKinds, type TestServer } from './harness.js';
import { SseReader } from './sse-client.js';

const base = '/api/v1/projects/default';

/** One sample's value from Prometheus text, by metric name and (a subset of) its labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const [kind] = await storeKinds();
describe('GET /api/v1/metrics (Prometheus)', { skip: kind?.skip }, () => {
  let s: TestServer;
  let url: string;
  let scraper: string;
  let serverKey: string;
  before(async () => {
    s = await startTestServer(kind as NonNullable<typeof kind>, { stream: { maxPerCredential: 2 } });
    await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(s.vexil.http.server.address() as net.AddressInfo).port}`;
    const t = await s.call('POST', '/api/v1/tokens', { body: { name: 'prometheus', role: 'viewer' } });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    scraper = t.body.token;
    serverKey = (await s.call('POST', `${base}/environments/production/keys`, { body: { kind: 'server' } })).body.key;
  });
  after(async () => {
    await s?.close();
  });
  const scrape = async (token = scraper) => {
    const res = await fetch(`${url}/api/v1/metrics`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  test('an unscoped viewer token reads them; a project-scoped token does not', async () => {
    const ok = await scrape();
    assert.equal(ok.status, 200);
    assert.match(ok.type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.ok((sample(ok.text, 'process_resident_memory_bytes') ?? 0) > 0, 'process metrics');
    assert.equal(sample(ok.text, 'vexil_build_info', { role: 'all' }), 1);
    const scoped = await s.call('POST', '/api/v1/tokens', {
      body: { name: 'scoped', role: 'admin', project: 'default' },
    });
    const refused = await scrape(scoped.body.token);
    assert.equal(refused.status, 403);
    assert.match(refused.type ?? '', /problem\+json/);
  });

  test('they count streams, refusals at the key limit, changes and requests by route, and hold no secret', async () => {
    const before = await scrape();
    const streams = [0, 1].map(() => new SseReader(`${url}/sdk/v1/stream`, { authorization: serverKey }));
    await Promise.all(streams.map((r) => r.next((e) => e.event === 'put')));
    assert.equal((await fetch(`${url}/sdk/v1/stream`, { headers: { authorization: serverKey } })).status, 429);
    assert.equal((await s.call('POST', `${base}/flags`, { body: { key: 'counted', name: 'Counted' } })).status, 201);
    await s.vexil.publisher?.kick();
    await Promise.all(streams.map((r) => r.next((e) => e.event === 'patch')));
    const after = await scrape();
    assert.equal(sample(after.text, 'vexil_stream_connections'), 2);
    const delta = (name: string, labels?: Record<string, string>) =>
      (sample(after.text, name, labels) ?? 0) - (sample(before.text, name, labels) ?? 0);
    assert.equal(delta('vexil_stream_refused_total'), 1);
    assert.ok(delta('vexil_feed_changes_applied_total') >= 1);
    assert.ok(delta('vexil_outbox_published_total') >= 1);
    assert.equal(sample(after.text, 'vexil_feed_environments'), 1);
    assert.ok(
      (sample(after.text, 'vexil_http_requests_total', { route: '/sdk/v1/stream', code: '429' }) ?? 0) >= 1,
      'requests are labelled by route pattern and status',
    );
    assert.ok(
      (sample(after.text, 'vexil_http_request_duration_seconds_count', {
        route: '/api/v1/projects/:project/flags',
        method: 'POST',
      }) ?? 0) >= 1,
    );
    for (const secret of [serverKey, scraper]) assert.ok(!after.text.includes(secret), 'no credential in metrics');
    for (const r of streams) r.close();
  });
});
