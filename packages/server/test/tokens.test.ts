import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

for (const kind of await storeKinds()) {
  describe(`API tokens on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
      const other = await s.call('POST', '/api/v1/projects', { body: { key: 'other', name: 'Other' } });
      assert.equal(other.status, 201);
    });
    after(async () => {
      await s?.close();
    });

    const create = async (body: Record<string, unknown>, token?: string) => {
      const res = await s.call('POST', '/api/v1/tokens', { body, ...(token ? { token } : {}) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: string; token: string; hint: string; expiresAt: string | null } & Record<
        string,
        unknown
      >;
    };

    test('a new token is shown once, listed only by its hint, stored only as a hash, and works at its role', async () => {
      const t = await create({ name: 'ci reader', role: 'viewer', comment: 'for the dashboard export' });
      assert.match(t.token, /^vxa_[0-9A-Za-z]{32}$/);
      assert.equal(t.hint, `vxa_…${t.token.slice(-4)}`);
      assert.equal(t.role, 'viewer');
      assert.equal(t.project, null);
      assert.equal(t.status, 'active');

      const list = await s.call('GET', '/api/v1/tokens');
      assert.equal(list.status, 200);
      const listed = list.body.items.find((x: { id: string }) => x.id === t.id);
      assert.equal(listed.hint, t.hint);
      assert.equal(listed.token, undefined);
      assert.ok(!JSON.stringify(list.body).includes(t.token));
      assert.ok(!JSON.stringify(list.body).includes(sha256(t.token)), 'the hash is not shown either');

      const [row] = await s.db.query<Record<string, unknown>>('SELECT * FROM api_tokens WHERE id = $1', [t.id]);
      assert.equal(row?.secret_hash, sha256(t.token));
      assert.ok(!Object.values(row ?? {}).some((v) => String(v).includes(t.token)));

      assert.equal((await s.call('GET', '/api/v1/projects/default/flags', { token: t.token })).status, 200);
      const write = await s.call('POST', '/api/v1/projects/default/flags', {
        token: t.token,
        body: { key: 'x', name: 'x' },
      });
      assert.equal(write.status, 403);
      assert.equal(write.body.code, 'forbidden');

      const audit = await s.db.query<{ action: string; after: unknown }>(
        "SELECT action, after FROM audit_events WHERE resource_type = 'token' AND resource_key = $1",
        [t.id],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['token.create'],
      );
      assert.ok(!JSON.stringify(audit).includes(t.token));
    });

    test('a token list shows when each token was last used', async () => {
      const t = await create({ name: 'used later', role: 'viewer' });
      const listed = async () =>
        (await s.call('GET', '/api/v1/tokens')).body.items.find((x: { id: string }) => x.id === t.id) as {
          lastUsedAt: string | null;
        };
      assert.equal((await listed()).lastUsedAt, null, 'never used');
      const before = Date.now();
      assert.equal((await s.call('GET', '/api/v1/projects/default/flags', { token: t.token })).status, 200);
      let seen: string | null = null;
      for (let i = 0; seen === null && i < 50; i++) {
        seen = (await listed()).lastUsedAt;
        if (seen === null) await sleep(20);
      }
      assert.ok(seen, 'recorded after use');
      assert.ok(Math.abs(Date.parse(seen) - before) < 5_000, `${seen} is the time of use`);
    });

    test('a project and environment scope limits what the token may do', async () => {
      const t = await create({ name: 'deploy', role: 'editor', project: 'default', environment: 'staging' });
      assert.equal(t.project, 'default');
      assert.equal(t.environment, 'staging');
      const flag = await s.call('POST', '/api/v1/projects/default/flags', { body: { key: 'scoped', name: 'Scoped' } });
      assert.equal(flag.status, 201);
      const on = { instructions: [{ kind: 'turnFlagOn' }] };
      const staging = await s.call('PATCH', '/api/v1/projects/default/flags/scoped/environments/staging', {
        token: t.token,
        body: on,
      });
      assert.equal(staging.status, 200, JSON.stringify(staging.body));
      const prod = await s.call('PATCH', '/api/v1/projects/default/flags/scoped/environments/production', {
        token: t.token,
        body: on,
      });
      assert.equal(prod.status, 403);
      assert.equal((await s.call('GET', '/api/v1/projects/other', { token: t.token })).status, 403);
      const me = await s.call('GET', '/api/v1/session', { token: t.token });
      assert.equal(me.status, 200);
      assert.deepEqual(me.body.grants, [{ project: 'default', role: 'editor', environments: ['staging'] }]);
      assert.equal(me.body.csrfToken, undefined);
    });

    test('bad input is refused with the path of every offending field', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ name: 'x', role: 'owner' }, '/role', 'invalid_value'],
        [{ role: 'viewer' }, '/name', 'required'],
        [{ name: 'x', role: 'viewer', environment: 'staging' }, '/environment', 'requires_project'],
        [{ name: 'x', role: 'viewer', project: 'nope' }, '/project', 'not_found'],
        [{ name: 'x', role: 'viewer', project: 'default', environment: 'nope' }, '/environment', 'not_found'],
        [{ name: 'x', role: 'viewer', expiresAt: 'tomorrow' }, '/expiresAt', 'invalid_format'],
        [{ name: 'x', role: 'viewer', expiresAt: '2031-02-30T00:00:00Z' }, '/expiresAt', 'invalid_format'],
        [{ name: 'x', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' }, '/expiresAt', 'in_past'],
        [
          { name: 'x', role: 'viewer', expiresAt: '2099-01-01T00:00:00Z', expiresInDays: 3 },
          '/expiresInDays',
          'conflict',
        ],
        [{ name: 'x', role: 'viewer', expiresInDays: 0 }, '/expiresInDays', 'too_small'],
        [{ name: 'x', role: 'viewer', secret: 'mine' }, '/secret', 'unknown_property'],
      ];
      for (const [body, path, code] of cases) {
        const res = await s.call('POST', '/api/v1/tokens', { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.equal(res.body.code, 'validation_failed');
        assert.ok(
          res.body.errors.some((e: { path: string; code: string }) => e.path === path && e.code === code),
          `${JSON.stringify(body)} → ${JSON.stringify(res.body.errors)}`,
        );
      }
      const rotate = await s.call('POST', '/api/v1/tokens/whatever/rotate', { body: { gracePeriodSeconds: -1 } });
      assert.equal(rotate.status, 400);
      assert.equal(rotate.body.errors[0].path, '/gracePeriodSeconds');
    });

    test('an expiry is honoured: an expired token is refused as expired', async () => {
      const t = await create({ name: 'short', role: 'viewer', expiresInDays: 7 });
      const days = (Date.parse(t.expiresAt as string) - Date.now()) / 86_400_000;
      assert.ok(days > 6.99 && days <= 7, String(days));
      const at = await create({ name: 'dated', role: 'viewer', expiresAt: '2099-06-01T12:00:00+02:00' });
      assert.equal(at.expiresAt, '2099-06-01T10:00:00.000Z');
      await s.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [t.id]);
      const res = await s.call('GET', '/api/v1/projects', { token: t.token });
      assert.equal(res.status, 401);
      assert.match(res.body.detail, /expired/);
    });

    test('rotation without a grace period stops the old secret at once', async () => {
      const old = await create({ name: 'rotate-now', role: 'editor', project: 'default' });
      const rotated = await s.call('POST', `/api/v1/tokens/${old.id}/rotate`);
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.notEqual(rotated.body.token, old.token);
      assert.notEqual(rotated.body.id, old.id);
      assert.equal(rotated.body.name, 'rotate-now');
      assert.equal(rotated.body.role, 'editor');
      assert.equal(rotated.body.project, 'default');
      assert.equal(rotated.body.previous.id, old.id);
      assert.equal((await s.call('GET', '/api/v1/projects/default', { token: old.token })).status, 401);
      assert.equal((await s.call('GET', '/api/v1/projects/default', { token: rotated.body.token })).status, 200);
      const audit = await s.db.query<{ action: string; resource_key: string }>(
        "SELECT action, resource_key FROM audit_events WHERE action IN ('token.rotate', 'token.create') AND resource_key IN ($1, $2) ORDER BY id",
        [old.id, rotated.body.id],
      );
      assert.deepEqual(
        audit.map((a) => [a.action, a.resource_key]),
        [
          ['token.create', old.id],
          ['token.create', rotated.body.id],
          ['token.rotate', old.id],
        ],
      );
      const again = await s.call('POST', `/api/v1/tokens/${old.id}/rotate`);
      assert.equal(again.status, 409, 'an expired token cannot be rotated again');
    });

    test('rotation with a grace period keeps the old secret working until the period ends, then it is expired', async () => {
      const old = await create({ name: 'rotate-later', role: 'viewer' });
      const rotated = await s.call('POST', `/api/v1/tokens/${old.id}/rotate`, { body: { gracePeriodSeconds: 1 } });
      assert.equal(rotated.status, 201);
      assert.ok(Date.parse(rotated.body.previous.expiresAt) - Date.now() <= 1000);
      assert.equal((await s.call('GET', '/api/v1/projects', { token: old.token })).status, 200);
      assert.equal((await s.call('GET', '/api/v1/projects', { token: rotated.body.token })).status, 200);
      await sleep(1100);
      const late = await s.call('GET', '/api/v1/projects', { token: old.token });
      assert.equal(late.status, 401);
      assert.match(late.body.detail, /expired/);
      assert.equal((await s.call('GET', '/api/v1/projects', { token: rotated.body.token })).status, 200);
    });

    test('a rotated token keeps its lifetime unless the rotation sets a new one', async () => {
      const old = await create({ name: 'monthly', role: 'viewer', expiresInDays: 30 });
      const same = await s.call('POST', `/api/v1/tokens/${old.id}/rotate`, { body: { gracePeriodSeconds: 60 } });
      const days = (Date.parse(same.body.expiresAt) - Date.now()) / 86_400_000;
      assert.ok(days > 29.99 && days <= 30, String(days));
      const longer = await s.call('POST', `/api/v1/tokens/${same.body.id}/rotate`, { body: { expiresInDays: 90 } });
      assert.equal(longer.status, 201);
      assert.ok((Date.parse(longer.body.expiresAt) - Date.now()) / 86_400_000 > 89.99);
      const forever = await create({ name: 'forever', role: 'viewer' });
      const rotated = await s.call('POST', `/api/v1/tokens/${forever.id}/rotate`);
      assert.equal(rotated.body.expiresAt, null);
    });

    test('revoking is immediate and idempotent; lists hide revoked tokens unless asked', async () => {
      const t = await create({ name: 'to revoke', role: 'viewer' });
      assert.equal((await s.call('DELETE', `/api/v1/tokens/${t.id}`)).status, 204);
      const res = await s.call('GET', '/api/v1/projects', { token: t.token });
      assert.equal(res.status, 401);
      assert.match(res.body.detail, /revoked/);
      assert.equal((await s.call('DELETE', `/api/v1/tokens/${t.id}`)).status, 204);
      const events = await s.db.query(
        "SELECT 1 FROM audit_events WHERE action = 'token.revoke' AND resource_key = $1",
        [t.id],
      );
      assert.equal(events.length, 1, 'the second revoke changed nothing and recorded nothing');
      const active = await s.call('GET', '/api/v1/tokens');
      assert.ok(!active.body.items.some((x: { id: string }) => x.id === t.id));
      const all = await s.call('GET', '/api/v1/tokens?state=all');
      assert.equal(all.body.items.find((x: { id: string }) => x.id === t.id).status, 'revoked');
      assert.equal((await s.call('POST', `/api/v1/tokens/${t.id}/rotate`)).status, 409);
      assert.equal((await s.call('DELETE', '/api/v1/tokens/no-such-token')).status, 404);
      assert.equal((await s.call('POST', '/api/v1/tokens/no-such-token/rotate')).status, 404);
    });

    test('a project admin manages the tokens of that project and no others', async () => {
      const pa = await create({ name: 'project admin', role: 'admin', project: 'default' });
      const mine = await create({ name: 'project scoped', role: 'viewer', project: 'default' }, pa.token);
      const env = await create(
        { name: 'env scoped', role: 'editor', project: 'default', environment: 'staging' },
        pa.token,
      );
      assert.equal(env.environment, 'staging');
      const unscoped = await s.call('POST', '/api/v1/tokens', { token: pa.token, body: { name: 'x', role: 'viewer' } });
      assert.equal(unscoped.status, 403);
      const foreign = await s.call('POST', '/api/v1/tokens', {
        token: pa.token,
        body: { name: 'x', role: 'viewer', project: 'other' },
      });
      assert.equal(foreign.status, 403);
      const list = await s.call('GET', '/api/v1/tokens?state=all', { token: pa.token });
      assert.equal(list.status, 200);
      assert.ok(list.body.items.length >= 3);
      assert.ok(list.body.items.every((x: { project: string }) => x.project === 'default'));
      assert.ok(list.body.items.some((x: { id: string }) => x.id === mine.id));

      const adminTokenId = (
        await s.db.query<{ id: string }>("SELECT id FROM api_tokens WHERE name = 'bootstrap admin token'")
      )[0]?.id;
      assert.equal((await s.call('DELETE', `/api/v1/tokens/${adminTokenId}`, { token: pa.token })).status, 403);
      assert.equal((await s.call('POST', `/api/v1/tokens/${adminTokenId}/rotate`, { token: pa.token })).status, 403);
      const rotated = await s.call('POST', `/api/v1/tokens/${mine.id}/rotate`, { token: pa.token });
      assert.equal(rotated.status, 201);
      assert.equal((await s.call('DELETE', `/api/v1/tokens/${rotated.body.id}`, { token: pa.token })).status, 204);

      const editor = await create({ name: 'project editor', role: 'editor', project: 'default' });
      assert.equal((await s.call('GET', '/api/v1/tokens', { token: editor.token })).status, 403);
      const scopedAdminToken = await s.call('GET', '/api/v1/tokens', { token: env.token });
      assert.equal(scopedAdminToken.status, 403);
    });
  });
}
