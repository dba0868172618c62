import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createVexil, type Vexil } from '../src/app.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

/** Failed logins are counted in the store: every api node on it sees the same count. */
for (const kind of await storeKinds()) {
  describe(`login limits across api nodes on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    const others: Vexil[] = [];
    after(async () => {
      // The extra nodes share the test server's store: closing their HTTP side is enough.
      for (const o of others) await Promise.all([o.http.close(), o.publisher?.close()]);
      await s?.close();
    });
    const login = (node: Vexil, password: string, ip: string) =>
      node.http.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: ip,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'admin@test.local', password }),
      });

    test('five failures spread over two nodes lock the account on both; a node started later knows it', async () => {
      s = await startTestServer(kind);
      const a = s.vexil;
      const b = await createVexil({ db: s.db, role: 'api' });
      others.push(b);
      for (const [i, node] of [a, b, a, b, a].entries())
        assert.equal((await login(node, 'wrong guess', `10.4.0.${i}`)).statusCode, 401);
      for (const node of [a, b]) {
        const r = await login(node, 'correct horse battery staple', '10.4.1.1');
        assert.equal(r.statusCode, 429, 'the right password is refused while the account is locked');
        assert.ok(Number(r.headers['retry-after']) > 0);
      }
      const c = await createVexil({ db: s.db, role: 'api' });
      others.push(c);
      assert.equal((await login(c, 'correct horse battery staple', '10.4.1.2')).statusCode, 429);
      const [row] = await s.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM login_failures WHERE key = 'email:admin@test.local'",
      );
      assert.equal(row?.n, 5, 'the store holds the five failures, not the refused attempts');
    });
  });
}
