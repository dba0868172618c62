import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const base = '/api/v1/projects/default';

for (const kind of await storeKinds()) {
  describe(`events from browsers on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let clientId: string;
    before(async () => {
      s = await startTestServer(kind);
      clientId = (await s.call('POST', `${base}/environments/production/keys`, { body: { kind: 'client' } })).body.key;
      const origins = await s.call('PATCH', `${base}/environments/production`, {
        body: { allowedOrigins: ['https://shop.example'] },
      });
      assert.equal(origins.status, 200);
    });
    after(async () => {
      await s?.close();
    });

    const exposure = {
      kind: 'exposure',
      creationDate: Date.now(),
      flagKey: 'checkout',
      version: 1,
      variation: 0,
      contextKeys: { user: 'u1' },
    };

    test('a client-side ID posts exposures and custom events, with CORS for allowed origins', async () => {
      const preflight = await s.call('OPTIONS', '/events/v1/bulk', {
        token: null,
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.status, 204);
      const res = await s.call('POST', `/events/v1/bulk?clientId=${clientId}`, {
        token: null,
        headers: { origin: 'https://shop.example' },
        body: {
          events: [
            exposure,
            { kind: 'custom', creationDate: Date.now(), key: 'purchase', contextKeys: { user: 'u1' }, value: 12.5 },
          ],
        },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.headers['access-control-allow-origin'], 'https://shop.example');
      const stored = await s.db.query<{ kind: string }>('SELECT kind FROM sdk_events ORDER BY kind');
      assert.deepEqual(
        stored.map((r) => r.kind),
        ['custom', 'exposure'],
      );
      const other = await s.call('POST', '/events/v1/bulk', {
        token: null,
        headers: { authorization: clientId, origin: 'https://evil.example' },
        body: { events: [exposure] },
      });
      assert.equal(
        other.headers['access-control-allow-origin'],
        undefined,
        'a page of another origin cannot read the answer',
      );
    });

    test('summaries need a server key; unknown IDs are refused', async () => {
      const summary = { kind: 'summary', startDate: 1, endDate: 2, flags: {} };
      const res = await s.call('POST', '/events/v1/bulk', {
        token: null,
        headers: { authorization: clientId },
        body: { events: [exposure, summary] },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].path, '/events/1/kind');
      const unknown = await s.call('POST', '/events/v1/bulk?clientId=vxc_nobody', {
        token: null,
        body: { events: [] },
      });
      assert.equal(unknown.status, 401);
    });
  });
}
