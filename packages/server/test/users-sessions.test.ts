import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface Session {
  cookie: string;
  secret: string;
  csrf: string;
  setCookie: string;
  body: { csrfToken: string; user: { email: string; isAdmin: boolean; memberships: unknown } };
}

/** Logs in through the public route from a given client address. */
async function login(s: TestServer, email: string, password: string, ip = '127.0.0.1') {
  const res = await s.vexil.http.inject({
    method: 'POST',
    url: '/api/v1/session',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email, password }),
  });
  const body = res.body ? JSON.parse(res.body) : undefined;
  return { status: res.statusCode, headers: res.headers, body };
}

async function session(s: TestServer, email: string, password: string): Promise<Session> {
  const res = await login(s, email, password);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const setCookie = String(res.headers['set-cookie']);
  const secret = /vexil_session=([^;]+)/.exec(setCookie)?.[1] as string;
  return { cookie: `vexil_session=${secret}`, secret, csrf: res.body.csrfToken, setCookie, body: res.body };
}

/** A call with a session: the cookie, and the CSRF header unless told otherwise. */
const as =
  (s: TestServer, sess: Session) =>
  (method: string, url: string, opts: { body?: unknown; csrf?: string | null } = {}) =>
    s.call(method, url, {
      token: null,
      headers: {
        cookie: sess.cookie,
        ...(opts.csrf === null ? {} : { 'x-csrf-token': opts.csrf ?? sess.csrf }),
      },
      ...(opts.body === undefined ? {} : { body: opts.body }),
    });

for (const kind of await storeKinds()) {
  describe(`users and sessions on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s?.close();
    });

    const createUser = async (body: Record<string, unknown>) => {
      const res = await s.call('POST', '/api/v1/users', { body: { name: 'Someone', ...body } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { user: { id: string; email: string }; password?: string };
    };

    test('login sets an HttpOnly, SameSite=Strict session cookie whose secret is stored only hashed', async () => {
      const sess = await session(s, s.adminEmail, s.adminPassword);
      assert.match(sess.secret, /^vxu_[0-9A-Za-z]{32}$/);
      assert.match(sess.setCookie, /; HttpOnly/);
      assert.match(sess.setCookie, /; SameSite=Strict/);
      assert.match(sess.setCookie, /; Path=\//);
      assert.match(sess.setCookie, /; Max-Age=43200/);
      assert.doesNotMatch(sess.setCookie, /Secure/, 'plain http, not forced');
      assert.equal(sess.body.user.email, s.adminEmail);
      assert.equal(sess.body.user.isAdmin, true);
      assert.ok(sess.body.csrfToken.length >= 32);

      const rows = await s.db.query<Record<string, unknown>>('SELECT * FROM sessions');
      assert.ok(rows.some((r) => r.id_hash === sha256(sess.secret)));
      assert.ok(!JSON.stringify(rows).includes(sess.secret));

      const me = await as(s, sess)('GET', '/api/v1/session', { csrf: null });
      assert.equal(me.status, 200);
      assert.equal(me.body.kind, 'user');
      assert.equal(me.body.user.email, s.adminEmail);
      assert.equal(me.body.csrfToken, sess.csrf);
      assert.equal(me.body.admin, true);
    });

    test('the Secure attribute is set when forced (TLS ends at a proxy)', async () => {
      const secure = await startTestServer(kind, { cookieSecure: true });
      try {
        const sess = await session(secure, secure.adminEmail, secure.adminPassword);
        assert.match(sess.setCookie, /; Secure/);
      } finally {
        await secure.close();
      }
    });

    test('session writes need the CSRF header; reads do not', async () => {
      const sess = await session(s, s.adminEmail, s.adminPassword);
      const call = as(s, sess);
      const body = { key: 'csrf-check', name: 'CSRF' };
      const missing = await call('POST', '/api/v1/projects/default/flags', { body, csrf: null });
      assert.equal(missing.status, 403);
      assert.equal(missing.body.code, 'csrf_failed');
      const wrong = await call('POST', '/api/v1/projects/default/flags', { body, csrf: 'x'.repeat(43) });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.code, 'csrf_failed');
      assert.equal((await call('GET', '/api/v1/projects/default/flags', { csrf: null })).status, 200);
      assert.equal((await call('POST', '/api/v1/projects/default/flags', { body })).status, 201);
    });

    test('logout ends the session and clears the cookie', async () => {
      const sess = await session(s, s.adminEmail, s.adminPassword);
      const out = await as(s, sess)('DELETE', '/api/v1/session');
      assert.equal(out.status, 204);
      assert.match(String(out.headers['set-cookie']), /^vexil_session=; .*Max-Age=0/);
      const rows = await s.db.query('SELECT 1 FROM sessions WHERE id_hash = $1', [sha256(sess.secret)]);
      assert.equal(rows.length, 0);
      const after = await as(s, sess)('GET', '/api/v1/session');
      assert.equal(after.status, 401);
      const again = await s.call('DELETE', '/api/v1/session');
      assert.equal(again.status, 204, 'a token caller has no session: nothing to end');
      const viaToken = await s.call('GET', '/api/v1/session');
      assert.equal(viaToken.body.kind, 'token');
      assert.equal(viaToken.body.csrfToken, undefined);
    });

    test('unknown email and wrong password fail alike, in similar time', async () => {
      const time = async (email: string) => {
        const started = performance.now();
        const res = await login(s, email, 'not the password at all', '10.1.0.1');
        return { res, ms: performance.now() - started };
      };
      await time('warm-up@test.local');
      const wrong = [];
      const unknown = [];
      for (let i = 0; i < 2; i++) {
        wrong.push(await time(s.adminEmail));
        unknown.push(await time(`nobody${i}@test.local`));
      }
      for (const r of [...wrong, ...unknown]) {
        assert.equal(r.res.status, 401);
        assert.equal(r.res.body.detail, 'invalid email or password');
      }
      const avg = (xs: { ms: number }[]) => xs.reduce((a, x) => a + x.ms, 0) / xs.length;
      const ratio = avg(unknown) / avg(wrong);
      assert.ok(ratio > 0.5 && ratio < 2, `unknown/wrong time ratio ${ratio.toFixed(2)}`);
    });

    test('five failures for one email lock it for 15 minutes with Retry-After, even for the right password', async () => {
      const { user } = await createUser({ email: 'limited@test.local', password: 'a long enough password' });
      for (let i = 0; i < 5; i++)
        assert.equal((await login(s, user.email, 'wrong password!!', '10.2.0.1')).status, 401);
      const limited = await login(s, user.email, 'a long enough password', '10.2.0.2');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'rate_limited');
      const retry = Number(limited.headers['retry-after']);
      assert.ok(retry > 890 && retry <= 900, String(retry));
      assert.equal((await login(s, 'LIMITED@test.local', 'x', '10.2.0.3')).status, 429, 'emails compare case-blind');
      assert.equal(
        (await login(s, s.adminEmail, s.adminPassword, '10.2.0.1')).status,
        200,
        'other accounts still log in',
      );
    });

    test('twenty failures from one address lock that address', async () => {
      for (let i = 0; i < 20; i++)
        assert.equal((await login(s, `spray${i}@test.local`, 'guess', '10.3.0.1')).status, 401);
      const limited = await login(s, s.adminEmail, s.adminPassword, '10.3.0.1');
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await login(s, s.adminEmail, s.adminPassword, '10.3.0.2')).status, 200);
    });

    test('admins create users; passwords are hashed with scrypt, or generated and shown once', async () => {
      const given = await createUser({ email: 'Dev@Test.Local', password: 'correct horse battery' });
      assert.equal(given.user.email, 'dev@test.local');
      assert.equal(given.password, undefined);
      const generated = await createUser({ email: 'gen@test.local' });
      assert.match(generated.password as string, /^[A-Za-z0-9]{20}$/);
      assert.equal((await login(s, 'gen@test.local', generated.password as string)).status, 200);

      const rows = await s.db.query<{ email: string; password_hash: string }>('SELECT email, password_hash FROM users');
      for (const r of rows) assert.match(r.password_hash, /^scrypt\$32768\$8\$1\$/);
      const dump =
        JSON.stringify(await s.db.query('SELECT * FROM users')) +
        JSON.stringify(await s.db.query('SELECT before, after FROM audit_events'));
      for (const secret of ['correct horse battery', generated.password as string, s.adminPassword])
        assert.ok(!dump.includes(secret));

      const list = await s.call('GET', '/api/v1/users');
      assert.equal(list.status, 200);
      assert.ok(!JSON.stringify(list.body).includes('scrypt'));
      assert.ok(list.body.items.some((u: { email: string }) => u.email === 'dev@test.local'));

      const dup = await s.call('POST', '/api/v1/users', { body: { email: 'DEV@test.local', name: 'Again' } });
      assert.equal(dup.status, 409);
      const bad = await s.call('POST', '/api/v1/users', {
        body: { email: 'not-an-email', name: '', password: 'short' },
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.map((e: { path: string; code: string }) => [e.path, e.code]).sort(), [
        ['/email', 'invalid_format'],
        ['/name', 'too_short'],
        ['/password', 'too_short'],
      ]);
    });

    test('memberships give a user a role in a project, optionally only in some environments', async () => {
      const { user } = await createUser({ email: 'member@test.local', password: 'member password 1' });
      const put = await s.call('PUT', `/api/v1/users/${user.id}/memberships/default`, {
        body: { role: 'editor', environments: ['staging'] },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.deepEqual(put.body.memberships, [{ project: 'default', role: 'editor', environments: ['staging'] }]);
      await s.call('POST', '/api/v1/projects/default/flags', { body: { key: 'member-flag', name: 'M' } });

      const sess = await session(s, 'member@test.local', 'member password 1');
      assert.deepEqual(sess.body.user.memberships, put.body.memberships);
      const call = as(s, sess);
      const me = await call('GET', '/api/v1/session');
      assert.deepEqual(me.body.grants, [{ project: 'default', role: 'editor', environments: ['staging'] }]);
      const on = { instructions: [{ kind: 'turnFlagOn' }] };
      assert.equal(
        (await call('PATCH', '/api/v1/projects/default/flags/member-flag/environments/staging', { body: on })).status,
        200,
      );
      assert.equal(
        (await call('PATCH', '/api/v1/projects/default/flags/member-flag/environments/production', { body: on }))
          .status,
        403,
      );
      assert.equal((await call('GET', '/api/v1/users')).status, 403);

      const badEnv = await s.call('PUT', `/api/v1/users/${user.id}/memberships/default`, {
        body: { role: 'viewer', environments: ['staging', 'nope'] },
      });
      assert.equal(badEnv.status, 400);
      assert.equal(badEnv.body.errors[0].path, '/environments/1');
      const badRole = await s.call('PUT', `/api/v1/users/${user.id}/memberships/default`, { body: { role: 'owner' } });
      assert.equal(badRole.body.errors[0].path, '/role');
      assert.equal(
        (await s.call('PUT', `/api/v1/users/${user.id}/memberships/nope`, { body: { role: 'viewer' } })).status,
        404,
      );
      assert.equal(
        (await s.call('PUT', '/api/v1/users/nobody/memberships/default', { body: { role: 'viewer' } })).status,
        404,
      );

      const all = await s.call('PUT', `/api/v1/users/${user.id}/memberships/default`, {
        body: { role: 'viewer', environments: null },
      });
      assert.deepEqual(all.body.memberships, [{ project: 'default', role: 'viewer', environments: null }]);
      assert.equal((await s.call('DELETE', `/api/v1/users/${user.id}/memberships/default`)).status, 204);
      assert.equal((await call('GET', '/api/v1/projects/default')).status, 403);
      assert.equal((await s.call('DELETE', `/api/v1/users/${user.id}/memberships/default`)).status, 404);
      const actions = await s.db.query<{ action: string }>(
        "SELECT action FROM audit_events WHERE resource_type = 'membership' AND resource_key = $1 ORDER BY id",
        [user.email],
      );
      assert.deepEqual(
        actions.map((a) => a.action),
        ['membership.put', 'membership.put', 'membership.delete'],
      );
    });

    test('disabling a user ends their sessions and refuses their logins; a password reset ends sessions too', async () => {
      const { user } = await createUser({ email: 'leaver@test.local', password: 'leaver password 1' });
      const sess = await session(s, user.email, 'leaver password 1');
      const off = await s.call('PATCH', `/api/v1/users/${user.id}`, { body: { disabled: true, comment: 'left' } });
      assert.equal(off.status, 200);
      assert.equal(off.body.disabled, true);
      assert.equal((await as(s, sess)('GET', '/api/v1/session')).status, 401);
      const refused = await login(s, user.email, 'leaver password 1', '10.4.0.1');
      assert.equal(refused.status, 401);
      assert.match(refused.body.detail, /disabled/);
      const on = await s.call('PATCH', `/api/v1/users/${user.id}`, { body: { disabled: false, name: 'Back again' } });
      assert.equal(on.body.disabled, false);
      assert.equal(on.body.name, 'Back again');

      const again = await session(s, user.email, 'leaver password 1');
      const reset = await s.call('PATCH', `/api/v1/users/${user.id}`, { body: { password: 'a brand new password' } });
      assert.equal(reset.status, 200);
      assert.equal((await as(s, again)('GET', '/api/v1/session')).status, 401);
      assert.equal((await login(s, user.email, 'a brand new password')).status, 200);
      const audit = JSON.stringify(await s.db.query('SELECT after FROM audit_events'));
      assert.ok(!audit.includes('a brand new password'));
      assert.equal((await s.call('PATCH', '/api/v1/users/nobody', { body: { name: 'x' } })).status, 404);
      const bad = await s.call('PATCH', `/api/v1/users/${user.id}`, { body: { password: 'short', isAdmin: 'yes' } });
      assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['/isAdmin', '/password']);
    });

    test('the last enabled administrator cannot be demoted or disabled', async () => {
      const admins = await s.call('GET', '/api/v1/users');
      const self = admins.body.items.find((u: { email: string }) => u.email === s.adminEmail);
      const demote = await s.call('PATCH', `/api/v1/users/${self.id}`, { body: { isAdmin: false } });
      assert.equal(demote.status, 409);
      const disable = await s.call('PATCH', `/api/v1/users/${self.id}`, { body: { disabled: true } });
      assert.equal(disable.status, 409);
      const { user } = await createUser({ email: 'second-admin@test.local', isAdmin: true });
      const now = await s.call('PATCH', `/api/v1/users/${self.id}`, { body: { isAdmin: false } });
      assert.equal(now.status, 200);
      assert.equal(now.body.isAdmin, false);
      assert.equal((await s.call('PATCH', `/api/v1/users/${self.id}`, { body: { isAdmin: true } })).status, 200);
      assert.equal((await s.call('PATCH', `/api/v1/users/${user.id}`, { body: { disabled: true } })).status, 200);
    });

    test('users change their own password with the current one; other sessions end', async () => {
      await createUser({ email: 'self@test.local', password: 'first password 1' });
      const a = await session(s, 'self@test.local', 'first password 1');
      const b = await session(s, 'self@test.local', 'first password 1');
      const url = '/api/v1/session/password';
      const wrong = await as(s, a)('POST', url, {
        body: { currentPassword: 'not it', newPassword: 'second password 2' },
      });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.errors[0].path, '/currentPassword');
      const short = await as(s, a)('POST', url, {
        body: { currentPassword: 'first password 1', newPassword: 'short' },
      });
      assert.equal(short.body.errors[0].path, '/newPassword');
      const noCsrf = await as(s, a)('POST', url, {
        body: { currentPassword: 'first password 1', newPassword: 'second password 2' },
        csrf: null,
      });
      assert.equal(noCsrf.status, 403);
      const viaToken = await s.call('POST', url, {
        body: { currentPassword: 'first password 1', newPassword: 'second password 2' },
      });
      assert.equal(viaToken.status, 403, 'a token has no password');
      const ok = await as(s, a)('POST', url, {
        body: { currentPassword: 'first password 1', newPassword: 'second password 2' },
      });
      assert.equal(ok.status, 204);
      assert.equal((await as(s, a)('GET', '/api/v1/session')).status, 200, 'this session stays');
      assert.equal((await as(s, b)('GET', '/api/v1/session')).status, 401, 'the other one ends');
      assert.equal((await login(s, 'self@test.local', 'first password 1', '10.5.0.1')).status, 401);
      assert.equal((await login(s, 'self@test.local', 'second password 2')).status, 200);
    });

    test('an expired session is refused', async () => {
      const sess = await session(s, s.adminEmail, s.adminPassword);
      await s.db.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1", [
        sha256(sess.secret),
      ]);
      const res = await as(s, sess)('GET', '/api/v1/session');
      assert.equal(res.status, 401);
      assert.match(res.body.detail, /expired/);
    });
  });
}
