import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveSdkKey } from '../src/credentials/sdk-key-service.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const prod = '/api/v1/projects/default/environments/production/keys';
const staging = '/api/v1/projects/default/environments/staging/keys';

type KeyView = { id: string; kind: string; hint: string; clientId: string | null; status: string; key?: string };

for (const kind of await storeKinds()) {
  describe(`SDK keys on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let envId: (key: string) => Promise<string>;
    before(async () => {
      s = await startTestServer(kind);
      envId = async (key) =>
        (await s.db.query<{ id: string }>('SELECT id FROM environments WHERE key = $1', [key]))[0]?.id as string;
    });
    after(async () => {
      await s?.close();
    });

    const token = async (body: Record<string, unknown>) => {
      const res = await s.call('POST', '/api/v1/tokens', { body: { name: 't', ...body } });
      assert.equal(res.status, 201);
      return res.body.token as string;
    };
    const createKey = async (url: string, kindOf: 'server' | 'client') => {
      const res = await s.call('POST', url, { body: { kind: kindOf } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as KeyView & { key: string };
    };

    test('every environment of a new project starts with one server key and one client-side ID', async () => {
      const list = await s.call('GET', prod);
      assert.equal(list.status, 200);
      const kinds = list.body.items.map((k: KeyView) => k.kind).sort();
      assert.deepEqual(kinds, ['client', 'server']);
      const server = list.body.items.find((k: KeyView) => k.kind === 'server');
      const client = list.body.items.find((k: KeyView) => k.kind === 'client');
      assert.equal(server.clientId, null);
      assert.match(server.hint, /^vxs_…/);
      assert.match(client.clientId, /^vxc_[0-9A-Za-z]{32}$/);
      assert.deepEqual(await resolveSdkKey(s.db, client.clientId), {
        environmentId: await envId('production'),
        kind: 'client',
      });
      const events = await s.db.query("SELECT 1 FROM audit_events WHERE action = 'sdk_key.create'");
      assert.equal(events.length, 4, 'two environments × two keys, each audited');

      const env = await s.call('POST', '/api/v1/projects/default/environments', { body: { key: 'qa', name: 'QA' } });
      assert.equal(env.status, 201);
      const qa = await s.call('GET', '/api/v1/projects/default/environments/qa/keys');
      assert.deepEqual(qa.body.items.map((k: KeyView) => k.kind).sort(), ['client', 'server']);
    });

    test('a server key is shown once and stored hashed; a client-side ID is public and always shown', async () => {
      const server = await createKey(prod, 'server');
      assert.match(server.key, /^vxs_[0-9A-Za-z]{32}$/);
      assert.equal(server.hint, `vxs_…${server.key.slice(-4)}`);
      assert.equal(server.clientId, null);
      const client = await createKey(prod, 'client');
      assert.equal(client.key, client.clientId);

      const list = await s.call('GET', prod);
      assert.ok(!JSON.stringify(list.body).includes(server.key));
      assert.ok(list.body.items.some((k: KeyView) => k.clientId === client.key));

      const [row] = await s.db.query<Record<string, unknown>>('SELECT * FROM sdk_keys WHERE id = $1', [server.id]);
      assert.equal(row?.secret_hash, sha256(server.key));
      assert.equal(row?.public_id, null);
      assert.ok(!Object.values(row ?? {}).some((v) => String(v).includes(server.key)));
      const audit = await s.db.query('SELECT before, after FROM audit_events');
      assert.ok(!JSON.stringify(audit).includes(server.key));

      const production = await envId('production');
      assert.deepEqual(await resolveSdkKey(s.db, server.key), { environmentId: production, kind: 'server' });
      assert.deepEqual(await resolveSdkKey(s.db, client.key), { environmentId: production, kind: 'client' });
      assert.equal(
        await resolveSdkKey(s.db, `vxc_${server.key.slice(4)}`),
        undefined,
        'a server key is not a client ID',
      );
      assert.equal(
        await resolveSdkKey(s.db, `vxs_${client.key.slice(4)}`),
        undefined,
        'a client ID is not a server key',
      );
      assert.equal(await resolveSdkKey(s.db, server.key.replace('vxs_', 'vxa_')), undefined);
      assert.equal(await resolveSdkKey(s.db, 'vxs_unknown'), undefined);
    });

    test('rotation: the old key keeps working through the grace period only; without one it stops at once', async () => {
      const a = await createKey(prod, 'server');
      const now = await s.call('POST', `${prod}/${a.id}/rotate`);
      assert.equal(now.status, 201, JSON.stringify(now.body));
      assert.equal(now.body.kind, 'server');
      assert.equal(now.body.previous.id, a.id);
      assert.equal(await resolveSdkKey(s.db, a.key), undefined);
      assert.ok(await resolveSdkKey(s.db, now.body.key));

      const b = await createKey(prod, 'client');
      const later = await s.call('POST', `${prod}/${b.id}/rotate`, { body: { gracePeriodSeconds: 1 } });
      assert.equal(later.status, 201);
      assert.match(later.body.key, /^vxc_/);
      assert.ok(await resolveSdkKey(s.db, b.key), 'still inside the grace period');
      await sleep(1100);
      assert.equal(await resolveSdkKey(s.db, b.key), undefined, 'expired after the grace period');
      assert.ok(await resolveSdkKey(s.db, later.body.key));

      const rotatedAgain = await s.call('POST', `${prod}/${a.id}/rotate`);
      assert.equal(rotatedAgain.status, 409);
      const actions = await s.db.query<{ action: string }>(
        "SELECT action FROM audit_events WHERE resource_type = 'sdk_key' AND resource_key = $1 ORDER BY id",
        [a.id],
      );
      assert.deepEqual(
        actions.map((x) => x.action),
        ['sdk_key.create', 'sdk_key.rotate'],
      );
    });

    test('revoking is immediate and idempotent, and keys belong to one environment', async () => {
      const k = await createKey(prod, 'server');
      assert.equal((await s.call('DELETE', `${staging}/${k.id}`)).status, 404, 'not a staging key');
      assert.equal((await s.call('DELETE', `${prod}/${k.id}`)).status, 204);
      assert.equal(await resolveSdkKey(s.db, k.key), undefined);
      assert.equal((await s.call('DELETE', `${prod}/${k.id}`)).status, 204);
      const listed = await s.call('GET', prod);
      assert.ok(!listed.body.items.some((x: KeyView) => x.id === k.id));
      const all = await s.call('GET', `${prod}?state=all`);
      assert.equal(all.body.items.find((x: KeyView) => x.id === k.id).status, 'revoked');
      assert.equal((await s.call('DELETE', `${prod}/missing`)).status, 404);
      assert.equal((await s.call('GET', '/api/v1/projects/default/environments/nope/keys')).status, 404);
    });

    test('project viewers list keys (server keys masked); only admins of the project or environment manage them', async () => {
      const viewer = await token({ role: 'viewer', project: 'default' });
      const editor = await token({ role: 'editor', project: 'default' });
      const projectAdmin = await token({ role: 'admin', project: 'default' });
      const stagingAdmin = await token({ role: 'admin', project: 'default', environment: 'staging' });

      const listed = await s.call('GET', prod, { token: viewer });
      assert.equal(listed.status, 200);
      assert.ok(listed.body.items.every((k: KeyView) => k.key === undefined));
      for (const t of [viewer, editor]) {
        const res = await s.call('POST', prod, { token: t, body: { kind: 'server' } });
        assert.equal(res.status, 403);
      }
      assert.equal((await s.call('POST', prod, { token: projectAdmin, body: { kind: 'server' } })).status, 201);
      assert.equal((await s.call('POST', staging, { token: stagingAdmin, body: { kind: 'client' } })).status, 201);
      assert.equal((await s.call('POST', prod, { token: stagingAdmin, body: { kind: 'client' } })).status, 403);
    });

    test('bad input names the field', async () => {
      const res = await s.call('POST', prod, { body: { kind: 'secret' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].path, '/kind');
      const missing = await s.call('POST', prod, { body: {} });
      assert.equal(missing.body.errors[0].path, '/kind');
      assert.equal(missing.body.errors[0].code, 'required');
      const grace = await s.call('POST', `${prod}/x/rotate`, { body: { gracePeriodSeconds: 'soon' } });
      assert.equal(grace.status, 400);
      assert.equal(grace.body.errors[0].path, '/gracePeriodSeconds');
    });
  });
}
