/**
 * OFREP, proved with the real OpenFeature clients: the server provider
 * (@openfeature/ofrep-provider + @openfeature/server-sdk, one request per evaluation) and the
 * web provider (@openfeature/ofrep-web-provider + @openfeature/web-sdk, bulk evaluation and
 * ETag polling). The web provider runs in Node 20 as is: it guards every DOM global it uses
 * (document, EventSource) and only needs localStorage for its persistent cache, which these
 * tests turn off (cacheMode: 'disabled'), so no shims are needed.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { OpenFeature as ServerFeature } from '@openfeature/server-sdk';
import { ProviderEvents, OpenFeature as WebFeature, type Provider as WebProvider } from '@openfeature/web-sdk';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const base = '/api/v1/projects/default';
const ALLOWED = 'https://app.example.com';

for (const kind of await storeKinds()) {
  describe(`OFREP on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let url: string;
    let serverKey: string;
    let clientId: string;

    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await s.call(method, path, body === undefined ? {} : { body });
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const flag = async (key: string, def: Record<string, unknown>, config: Record<string, unknown>) => {
      await ok('POST', `${base}/flags`, { key, name: key, clientVisible: true, ...def });
      await ok('PUT', `${base}/flags/${key}/environments/production`, config);
    };
    const ofrep = (
      path: string,
      body: unknown,
      headers: Record<string, string> = { authorization: `Bearer ${serverKey}` },
    ) =>
      fetch(`${url}/ofrep/v1/evaluate/flags${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    before(async () => {
      s = await startTestServer(kind);
      await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(s.vexil.http.server.address() as net.AddressInfo).port}`;
      serverKey = (await ok('POST', `${base}/environments/production/keys`, { kind: 'server' })).key;
      clientId = (await ok('POST', `${base}/environments/production/keys`, { kind: 'client' })).key;
      await ok('PATCH', `${base}/environments/production`, { allowedOrigins: [ALLOWED] });
      await flag(
        'bool-flag',
        {},
        { on: true, offVariation: 1, targets: [{ variation: 0, values: ['alice'] }], fallthrough: { variation: 1 } },
      );
      await flag(
        'str-flag',
        { kind: 'string', variations: [{ value: 'red', name: 'Red' }, { value: 'blue' }] },
        {
          on: true,
          rules: [{ id: 'nl', clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }], serve: { variation: 1 } }],
          fallthrough: {
            rollout: {
              variations: [
                { variation: 0, weight: 50_000 },
                { variation: 1, weight: 50_000 },
              ],
            },
          },
        },
      );
      await flag(
        'num-flag',
        { kind: 'number', variations: [{ value: 1.5 }, { value: 42, name: 'answer' }] },
        { on: true, fallthrough: { variation: 1 } },
      );
      await flag(
        'obj-flag',
        { kind: 'json', variations: [{ value: { a: 1 } }, { value: { b: [1, 2], c: 'x' } }] },
        { on: true, fallthrough: { variation: 1 } },
      );
      await flag(
        'org-flag',
        {},
        {
          on: true,
          offVariation: 1,
          targets: [{ contextKind: 'organization', variation: 0, values: ['acme'] }],
          fallthrough: { variation: 1 },
        },
      );
      await flag(
        'novalue-flag',
        { kind: 'string', variations: [{ value: 'a' }, { value: 'b' }] },
        { on: false, fallthrough: { variation: 0 } },
      );
      await flag('hidden', { clientVisible: false }, { on: true, fallthrough: { variation: 0 } });
      await s.vexil.publisher?.kick();
    });
    after(async () => {
      await ServerFeature.close();
      await WebFeature.close();
      await s?.close();
    });

    test('server provider (@openfeature/ofrep-provider): every type, details, errors', async () => {
      await ServerFeature.setProviderAndWait(
        new OFREPProvider({ baseUrl: url, headers: [['Authorization', `Bearer ${serverKey}`]] }),
      );
      const client = ServerFeature.getClient();
      const alice = { targetingKey: 'alice', country: 'NL' };
      const bob = { targetingKey: 'bob', country: 'US' };

      const b = await client.getBooleanDetails('bool-flag', false, alice);
      assert.deepEqual([b.value, b.variant, b.reason, b.errorCode], [true, 'on', 'TARGETING_MATCH', undefined]);
      assert.equal(b.flagMetadata.reasonKind, 'TARGET_MATCH');
      assert.equal(typeof b.flagMetadata.version, 'number');
      const bb = await client.getBooleanDetails('bool-flag', true, bob);
      assert.deepEqual([bb.value, bb.variant, bb.reason], [false, 'off', 'DEFAULT']);

      const sNl = await client.getStringDetails('str-flag', 'none', alice);
      assert.deepEqual(
        [sNl.value, sNl.variant, sNl.reason, sNl.flagMetadata.ruleId],
        ['blue', '1', 'TARGETING_MATCH', 'nl'],
      );
      const sUs = await client.getStringDetails('str-flag', 'none', bob);
      assert.equal(sUs.reason, 'SPLIT', 'a fallthrough rollout is a split');
      assert.ok(['red', 'blue'].includes(sUs.value));
      assert.equal(sUs.variant, sUs.value === 'red' ? 'Red' : '1', 'variant: the variation name, else its index');

      const n = await client.getNumberDetails('num-flag', 0, bob);
      assert.deepEqual([n.value, n.variant, n.reason], [42, 'answer', 'DEFAULT']);
      const o = await client.getObjectDetails('obj-flag', {}, bob);
      assert.deepEqual([o.value, o.variant], [{ b: [1, 2], c: 'x' }, '1']);

      // A multi-kind context passes as is.
      const org = await client.getBooleanDetails('org-flag', false, {
        kind: 'multi',
        user: { key: 'u1' },
        organization: { key: 'acme' },
      });
      assert.deepEqual([org.value, org.reason], [true, 'TARGETING_MATCH']);
      // An attribute `kind` selects the context kind.
      const asOrg = await client.getBooleanDetails('org-flag', false, { targetingKey: 'acme', kind: 'organization' });
      assert.equal(asOrg.value, true);

      const missing = await client.getBooleanDetails('no-such-flag', true, alice);
      assert.deepEqual([missing.value, missing.errorCode, missing.reason], [true, 'FLAG_NOT_FOUND', 'ERROR']);
      const mismatch = await client.getNumberDetails('bool-flag', 7, alice);
      assert.deepEqual([mismatch.value, mismatch.errorCode], [7, 'TYPE_MISMATCH']);
      const noKey = await client.getBooleanDetails('bool-flag', false, { country: 'NL' });
      assert.deepEqual([noKey.value, noKey.errorCode], [false, 'TARGETING_KEY_MISSING']);
      const hidden = await client.getBooleanDetails('hidden', false, alice);
      assert.equal(hidden.value, true, 'server keys see flags that are not client-visible');
      // Off without an off variation serves no value (OFREP's code default). This 0.1.x provider
      // requires a value, so it falls back to the default through an error; newer ones do not.
      const novalue = await client.getStringDetails('novalue-flag', 'dflt', alice);
      assert.equal(novalue.value, 'dflt');
    });

    test('server provider with a client-side ID in X-API-Key: client-visible flags only', async () => {
      await ServerFeature.setProviderAndWait(
        'client-id',
        new OFREPProvider({ baseUrl: url, headers: { 'X-API-Key': clientId } }),
      );
      const client = ServerFeature.getClient('client-id');
      assert.equal(await client.getBooleanValue('bool-flag', false, { targetingKey: 'alice' }), true);
      const hidden = await client.getBooleanDetails('hidden', false, { targetingKey: 'alice' });
      assert.deepEqual([hidden.value, hidden.errorCode], [false, 'FLAG_NOT_FOUND']);
      await ServerFeature.setProviderAndWait(
        'bad-key',
        new OFREPProvider({ baseUrl: url, headers: { 'X-API-Key': 'vxs_nope' } }),
      );
      const denied = await ServerFeature.getClient('bad-key').getBooleanDetails('bool-flag', false, {
        targetingKey: 'alice',
      });
      assert.deepEqual([denied.value, denied.reason], [false, 'ERROR']);
    });

    test('wire format: single evaluation errors and statuses', async () => {
      const single = await ofrep('/bool-flag', { context: { targetingKey: 'alice' } });
      assert.equal(single.status, 200);
      assert.match(single.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await single.json()) as Record<string, unknown>;
      assert.deepEqual(
        { ...body, metadata: undefined },
        { key: 'bool-flag', value: true, reason: 'TARGETING_MATCH', variant: 'on', metadata: undefined },
      );

      const failure = async (
        res: Response,
        status: number,
        errorCode: string,
        key: string | undefined = 'bool-flag',
      ) => {
        assert.equal(res.status, status);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
        const b = (await res.json()) as { key?: string; errorCode: string; errorDetails: string };
        assert.deepEqual([b.key, b.errorCode, typeof b.errorDetails], [key, errorCode, 'string']);
        return b;
      };
      await failure(await ofrep('/nope', { context: { targetingKey: 'a' } }), 404, 'FLAG_NOT_FOUND', 'nope');
      await failure(
        await ofrep('/hidden', { context: { targetingKey: 'a' } }, { authorization: `Bearer ${clientId}` }),
        404,
        'FLAG_NOT_FOUND',
        'hidden',
      );
      await failure(await ofrep('/bool-flag', { context: {} }), 400, 'TARGETING_KEY_MISSING');
      await failure(await ofrep('/bool-flag', {}), 400, 'TARGETING_KEY_MISSING');
      await failure(await ofrep('/bool-flag', { context: { targetingKey: 12 } }), 400, 'INVALID_CONTEXT');
      const kindBad = await failure(
        await ofrep('/bool-flag', { context: { targetingKey: 'a', kind: 'no spaces' } }),
        400,
        'INVALID_CONTEXT',
      );
      assert.match(kindBad.errorDetails, /\/context\/kind/);
      await failure(await ofrep('/bool-flag', { context: 'alice' }), 400, 'INVALID_CONTEXT');
      await failure(await ofrep('/bool-flag', { context: { kind: 'multi' } }), 400, 'INVALID_CONTEXT');
      await failure(await ofrep('/bool-flag', '{"context":'), 400, 'PARSE_ERROR');

      const problem = async (res: Response, status: number, code: string) => {
        assert.equal(res.status, status);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(((await res.json()) as { code: string }).code, code);
      };
      await problem(await ofrep('/bool-flag', { context: { targetingKey: 'a' } }, {}), 401, 'unauthenticated');
      await problem(
        await ofrep('/bool-flag', { context: { targetingKey: 'a' } }, { authorization: 'Bearer vxs_unknown' }),
        401,
        'unauthenticated',
      );
      await problem(
        await ofrep('/bool-flag', { context: { targetingKey: 'a', pad: 'x'.repeat(70_000) } }),
        413,
        'payload_too_large',
      );
    });

    test('bulk evaluation: every served flag, ETag and 304, client-side IDs see client-visible flags', async () => {
      const res = await ofrep('', { context: { targetingKey: 'alice', country: 'NL' } });
      assert.equal(res.status, 200);
      const etag = res.headers.get('etag') as string;
      assert.ok(etag);
      const { flags } = (await res.json()) as {
        flags: { key: string; value?: unknown; reason: string; variant?: string; metadata: unknown }[];
      };
      const byKey = Object.fromEntries(flags.map((f) => [f.key, f]));
      assert.ok(byKey.hidden, 'server key: all flags');
      assert.deepEqual(
        byKey['novalue-flag'],
        { key: 'novalue-flag', reason: 'DISABLED', metadata: byKey['novalue-flag']?.metadata },
        'no value, no variant',
      );
      assert.equal(byKey['str-flag']?.value, 'blue');
      const again = await ofrep(
        '',
        { context: { country: 'NL', targetingKey: 'alice' } },
        { authorization: `Bearer ${serverKey}`, 'if-none-match': etag },
      );
      assert.equal(again.status, 304);

      const viaClient = await ofrep(
        '',
        { context: { targetingKey: 'alice' } },
        { authorization: clientId, 'if-none-match': etag },
      );
      assert.equal(viaClient.status, 200, 'another credential kind, another ETag');
      const keys = ((await viaClient.json()) as { flags: { key: string }[] }).flags.map((f) => f.key).sort();
      assert.deepEqual(keys, ['bool-flag', 'novalue-flag', 'num-flag', 'obj-flag', 'org-flag', 'str-flag']);

      const bad = await ofrep('', { context: { country: 'NL' } });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { errorCode: string }).errorCode, 'TARGETING_KEY_MISSING');

      await ok('PATCH', `${base}/flags/num-flag/environments/production`, {
        instructions: [{ kind: 'setFallthrough', serve: { variation: 0 } }],
      });
      await s.vexil.publisher?.kick();
      const changed = await ofrep(
        '',
        { context: { targetingKey: 'alice', country: 'NL' } },
        { authorization: `Bearer ${serverKey}`, 'if-none-match': etag },
      );
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.get('etag'), etag);
      await ok('PATCH', `${base}/flags/num-flag/environments/production`, {
        instructions: [{ kind: 'setFallthrough', serve: { variation: 1 } }],
      });
      await s.vexil.publisher?.kick();
    });

    test('CORS on /ofrep: granted to client-side IDs from allowed origins, never to server keys', async () => {
      const ctx = { context: { targetingKey: 'a' } };
      const pre = await fetch(`${url}/ofrep/v1/evaluate/flags`, {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.status, 204);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-api-key/);
      const client = await ofrep('', ctx, { authorization: clientId, origin: ALLOWED });
      assert.equal(client.headers.get('access-control-allow-origin'), ALLOWED);
      const evil = await ofrep('', ctx, { authorization: clientId, origin: 'https://evil.example' });
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      const server = await ofrep('', ctx, { authorization: `Bearer ${serverKey}`, origin: ALLOWED });
      assert.equal(server.status, 200);
      assert.equal(server.headers.get('access-control-allow-origin'), null);
    });

    test('web provider (@openfeature/ofrep-web-provider): bulk evaluation, ETag polling, change events', async () => {
      const statuses: number[] = [];
      const counting: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      };
      const provider = new OFREPWebProvider({
        baseUrl: url,
        headers: [['Authorization', clientId]],
        pollInterval: 100,
        cacheMode: 'disabled',
        fetchImplementation: counting,
      });
      await WebFeature.setContext({ targetingKey: 'alice', country: 'NL' });
      // The provider's typings declare `hooks?: Hook[]`, which exactOptionalPropertyTypes does not accept as Provider.
      await WebFeature.setProviderAndWait(provider as WebProvider);
      const client = WebFeature.getClient();
      const b = client.getBooleanDetails('bool-flag', false);
      assert.deepEqual([b.value, b.variant, b.reason], [true, 'on', 'TARGETING_MATCH']);
      assert.equal(client.getStringValue('str-flag', 'none'), 'blue');
      assert.equal(client.getNumberValue('num-flag', 0), 42);
      assert.deepEqual(client.getObjectValue('obj-flag', {}), { b: [1, 2], c: 'x' });
      const novalue = client.getStringDetails('novalue-flag', 'dflt');
      assert.deepEqual(
        [novalue.value, novalue.reason, novalue.errorCode],
        ['dflt', 'DISABLED', undefined],
        'no value: the code default',
      );
      const hidden = client.getBooleanDetails('hidden', false);
      assert.equal(hidden.errorCode, 'FLAG_NOT_FOUND');

      // Polls while nothing changes are answered 304.
      const until = Date.now() + 5000;
      while (statuses.filter((st) => st === 304).length < 2 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(statuses.filter((st) => st === 304).length >= 2, `polls: ${statuses.join(',')}`);
      assert.equal(statuses[0], 200);

      const changed = new Promise<string[]>((resolve) =>
        client.addHandler(ProviderEvents.ConfigurationChanged, (e) => resolve(e?.flagsChanged ?? [])),
      );
      await ok('PATCH', `${base}/flags/bool-flag/environments/production`, { instructions: [{ kind: 'turnFlagOff' }] });
      await s.vexil.publisher?.kick();
      assert.ok((await changed).includes('bool-flag'));
      const off = client.getBooleanDetails('bool-flag', true);
      assert.deepEqual([off.value, off.reason], [false, 'DISABLED']);

      await WebFeature.setContext({ targetingKey: 'bob', country: 'US' });
      assert.equal(client.getStringDetails('str-flag', 'none').reason, 'SPLIT');
      await WebFeature.clearProviders();
    });
  });
}
