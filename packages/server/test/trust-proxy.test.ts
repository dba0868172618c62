import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { parseTrustProxy } from '../src/config.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

describe('VEXIL_TRUST_PROXY', () => {
  test('parses to none, all, a hop count or a list of addresses and ranges; anything else is an error', () => {
    assert.equal(parseTrustProxy(undefined), false);
    assert.equal(parseTrustProxy(''), false);
    assert.equal(parseTrustProxy('false'), false);
    assert.equal(parseTrustProxy('true'), true);
    assert.equal(parseTrustProxy('2'), 2);
    assert.deepEqual(parseTrustProxy(' 10.0.0.0/8, 127.0.0.1 ,::1,loopback'), [
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'loopback',
    ]);
    assert.throws(() => parseTrustProxy('proxy.internal'), /VEXIL_TRUST_PROXY: "proxy\.internal"/);
  });
});

// The store does not matter here: the first kind (the embedded one) is enough.
const [kind] = await storeKinds();
describe('the client address behind a proxy (login limits)', { skip: kind?.skip }, () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });
  const login = (s: TestServer, from: string, forwardedFor: string, password = 'wrong guess') =>
    s.vexil.http.inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress: from,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      payload: JSON.stringify({ email: 'admin@test.local', password }),
    });
  const spray = async (s: TestServer, from: string, forwardedFor: (i: number) => string) => {
    // Twenty failures from one address lock it; each uses a new e-mail so only the address counts.
    for (let i = 0; i < 20; i++) {
      const r = await s.vexil.http.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: from,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor(i) },
        payload: JSON.stringify({ email: `spray${i}@test.local`, password: 'guess' }),
      });
      assert.equal(r.statusCode, 401);
    }
  };

  test('by default X-Forwarded-For is ignored: a client cannot dodge the limit by inventing addresses', async () => {
    const s = await startTestServer(kind as NonNullable<typeof kind>);
    servers.push(s);
    await spray(s, '10.9.0.1', (i) => `198.51.100.${i}`);
    const r = await login(s, '10.9.0.1', '198.51.100.99', 'correct horse battery staple');
    assert.equal(r.statusCode, 429);
  });

  test('with the proxy trusted, each client behind it has its own limit', async () => {
    const s = await startTestServer(kind as NonNullable<typeof kind>, { trustProxy: ['10.9.0.1'] });
    servers.push(s);
    await spray(s, '10.9.0.1', () => '203.0.113.5');
    assert.equal((await login(s, '10.9.0.1', '203.0.113.5', 'correct horse battery staple')).statusCode, 429);
    const other = await login(s, '10.9.0.1', '203.0.113.6', 'correct horse battery staple');
    assert.equal(other.statusCode, 200, 'another client behind the same proxy');
    // A hop the proxy did not add is not believed: the address the trusted proxy saw counts.
    assert.equal((await login(s, '10.9.0.1', '198.51.100.7, 203.0.113.5')).statusCode, 429);
  });
});
