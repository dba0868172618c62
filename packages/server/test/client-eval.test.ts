import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Flag } from '@vexil/core';
import { affectedFlags, ContextEvaluation } from '../src/dataplane/client-eval.js';
import { EnvironmentFeed } from '../src/dataplane/environment-feed.js';
import type { ChangeMessage } from '../src/dataplane/messages.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';
import { SseReader } from './sse-client.js';

const base = '/api/v1/projects/default';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ALLOWED = 'https://app.example.com';

describe('re-evaluation cost of client streams', () => {
  const boolFlag = (key: string, extra: Partial<Flag> = {}): Flag =>
    ({
      key,
      version: 1,
      kind: 'boolean',
      variations: [{ value: true }, { value: false }],
      on: true,
      offVariation: 1,
      fallthrough: { variation: 0 },
      targets: [],
      rules: [],
      prerequisites: [],
      clientVisible: true,
      ...extra,
    }) as Flag;
  const feedOf = (flags: Flag[]) =>
    new EnvironmentFeed('env', {
      environmentId: 'env',
      seq: 1,
      flags: Object.fromEntries(flags.map((f) => [f.key, f])),
      segments: {},
    });
  const change = (feed: EnvironmentFeed, payload: Flag | null, key = payload?.key as string): ChangeMessage => {
    const m: ChangeMessage = {
      type: 'change',
      environmentId: 'env',
      seq: feed.seq + 1,
      entity: 'flag',
      key,
      op: payload ? 'put' : 'delete',
      payload,
    };
    return m;
  };

  test('a flag change affects that flag and its prerequisite dependents; a segment change, everything', () => {
    const feed = feedOf([
      boolFlag('a'),
      boolFlag('b', { prerequisites: [{ key: 'a', variation: 0 }] }),
      boolFlag('c', { prerequisites: [{ key: 'b', variation: 0 }] }),
      boolFlag('d'),
    ]);
    const m = change(feed, boolFlag('a', { version: 2 }));
    feed.apply(m);
    assert.deepEqual([...(affectedFlags(feed, m) as Set<string>)].sort(), ['a', 'b', 'c']);
    const md = change(feed, boolFlag('d', { version: 2 }));
    feed.apply(md);
    assert.deepEqual([...(affectedFlags(feed, md) as Set<string>)], ['d']);
    const ms: ChangeMessage = {
      type: 'change',
      environmentId: 'env',
      seq: feed.seq + 1,
      entity: 'segment',
      key: 's',
      op: 'put',
      payload: { key: 's', version: 1 } as never,
    };
    feed.apply(ms);
    assert.equal(affectedFlags(feed, ms), 'all');
  });

  test('a change costs one evaluation per stream for the changed flag, not one per flag', () => {
    const flags = Array.from({ length: 300 }, (_, i) =>
      boolFlag(`f${i}`, { targets: [{ variation: 1, values: [`u${i}`] }] }),
    );
    const feed = feedOf(flags);
    const views = Array.from(
      { length: 1000 },
      (_, i) => new ContextEvaluation(feed, { key: `u${i}` }, { withReasons: false }),
    );
    for (const v of views) v.all();
    let evaluations = 0;
    const evaluate = feed.evaluator.evaluate.bind(feed.evaluator);
    feed.evaluator.evaluate = (key, ctx) => {
      evaluations++;
      return evaluate(key, ctx);
    };
    // Target u7 in f3: only u7's value changes; everyone else's f3 keeps its value and version-only changes are not pushed.
    const m = change(feed, boolFlag('f3', { version: 2, targets: [{ variation: 1, values: ['u3', 'u7'] }] }));
    feed.apply(m);
    const started = performance.now();
    const patches = views.map((v) => v.change(m));
    const ms = performance.now() - started;
    assert.equal(evaluations, views.length, 'one evaluation per stream');
    const sent = patches.flatMap((p, i) => (p ? [[i, p]] : []));
    assert.deepEqual(sent, [[7, { f3: { value: false, variation: 1, version: 2 } }]]);
    assert.ok(ms < 500, `${views.length} streams took ${ms} ms`);
    // Deleting a flag sends null to every stream that had it.
    const del = change(feed, null, 'f4');
    feed.apply(del);
    assert.deepEqual(views[0]?.change(del), { f4: null });
  });
});

for (const kind of await storeKinds()) {
  describe(`client-side evaluation on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let url: string;
    let serverKey: string;
    let clientId: string;
    let stagingClientId: string;

    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await s.call(method, path, body === undefined ? {} : { body });
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const config = (key: string, body: Record<string, unknown>) =>
      ok('PUT', `${base}/flags/${key}/environments/production`, body);
    const patchFlag = (key: string, instructions: unknown[]) =>
      ok('PATCH', `${base}/flags/${key}/environments/production`, { instructions });
    const publish = () => s.vexil.publisher?.kick();
    const evaluate = (body: unknown, headers: Record<string, string> = { authorization: clientId }) =>
      fetch(`${url}/client/v1/evaluate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    before(async () => {
      s = await startTestServer(kind, {
        stream: { heartbeatMs: 200, maxPerCredential: 3, maxBufferedBytes: 64 * 1024 },
      });
      await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(s.vexil.http.server.address() as net.AddressInfo).port}`;
      serverKey = (await ok('POST', `${base}/environments/production/keys`, { kind: 'server' })).key;
      clientId = (await ok('POST', `${base}/environments/production/keys`, { kind: 'client' })).key;
      stagingClientId = (await ok('POST', `${base}/environments/staging/keys`, { kind: 'client' })).key;
      await ok('PATCH', `${base}/environments/production`, {
        allowedOrigins: [ALLOWED, 'https://Other.Example.com:443'],
      });
      await ok('PATCH', `${base}/environments/staging`, { allowedOrigins: ['*'] });

      // banner: alice is targeted (true), everyone else falls through to false.
      await ok('POST', `${base}/flags`, { key: 'banner', name: 'Banner', clientVisible: true });
      await config('banner', {
        on: true,
        targets: [{ variation: 0, values: ['alice'] }],
        fallthrough: { variation: 1 },
      });
      // theme: a rule on country; named variations.
      await ok('POST', `${base}/flags`, {
        key: 'theme',
        name: 'Theme',
        kind: 'string',
        clientVisible: true,
        variations: [
          { value: 'light', name: 'Light' },
          { value: 'dark', name: 'Dark' },
        ],
      });
      await config('theme', {
        on: true,
        rules: [{ id: 'nl', clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }], serve: { variation: 1 } }],
        fallthrough: { variation: 0 },
      });
      // secret: not client-visible; gate: client-visible, requires secret to serve true.
      await ok('POST', `${base}/flags`, { key: 'secret', name: 'Secret' });
      await config('secret', { on: true, fallthrough: { variation: 0 } });
      await ok('POST', `${base}/flags`, { key: 'gate', name: 'Gate', clientVisible: true });
      await config('gate', {
        on: true,
        offVariation: 1,
        prerequisites: [{ key: 'secret', variation: 0 }],
        fallthrough: { variation: 0 },
      });
      await publish();
    });
    after(async () => {
      await s?.close();
    });

    test('evaluates only client-visible flags, per context, reasons on request', async () => {
      const alice = await evaluate({ context: { key: 'alice', country: 'NL' } });
      assert.equal(alice.status, 200);
      assert.match(alice.headers.get('content-type') ?? '', /^application\/json/);
      const a = (await alice.json()) as {
        flags: Record<string, { value: unknown; variation: number; version: number; reason?: unknown }>;
      };
      assert.deepEqual(Object.keys(a.flags).sort(), ['banner', 'gate', 'theme'], 'secret is not client-visible');
      assert.deepEqual(
        [
          a.flags.banner?.value,
          a.flags.banner?.variation,
          a.flags.theme?.value,
          a.flags.theme?.variation,
          a.flags.gate?.value,
        ],
        [true, 0, 'dark', 1, true],
      );
      assert.ok((a.flags.banner?.version ?? 0) >= 2);
      assert.equal(a.flags.banner?.reason, undefined, 'no reasons unless asked');

      const bob = (await (
        await evaluate({ context: { kind: 'user', key: 'bob', country: 'US' }, withReasons: true })
      ).json()) as typeof a;
      assert.deepEqual([bob.flags.banner?.value, bob.flags.theme?.value], [false, 'light']);
      assert.deepEqual(bob.flags.banner?.reason, { kind: 'FALLTHROUGH' });
      assert.deepEqual(bob.flags.theme?.reason, { kind: 'FALLTHROUGH' });
      const aliceReasons = (await (
        await evaluate({ context: { key: 'alice', country: 'NL' }, withReasons: true })
      ).json()) as typeof a;
      assert.deepEqual(aliceReasons.flags.banner?.reason, { kind: 'TARGET_MATCH' });
      assert.deepEqual(aliceReasons.flags.theme?.reason, { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'nl' });

      // A multi-kind context: the user member is what user targeting sees.
      const multi = (await (
        await evaluate({ context: { kind: 'multi', user: { key: 'alice' }, device: { key: 'd1' } } })
      ).json()) as typeof a;
      assert.equal(multi.flags.banner?.value, true);
      // The client-side ID in the query works as well as the header.
      const viaQuery = await fetch(`${url}/client/v1/evaluate?clientId=${clientId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ context: { key: 'bob' } }),
      });
      assert.equal(viaQuery.status, 200);
    });

    test('GET with a base64url context: ETag, 304, and a new ETag after a change', async () => {
      const path = `${url}/client/v1/evaluate?clientId=${clientId}&context=${b64({ key: 'carol', country: 'NL' })}`;
      const first = await fetch(path);
      assert.equal(first.status, 200);
      const etag = first.headers.get('etag') as string;
      assert.match(etag, /^"\d+-[\w-]+"$/);
      assert.equal(((await first.json()) as { flags: { theme: { value: string } } }).flags.theme.value, 'dark');
      assert.equal((await fetch(path, { headers: { 'if-none-match': etag } })).status, 304);
      assert.equal(
        (await fetch(path, { headers: { 'if-none-match': `"x", W/${etag}` } })).status,
        304,
        'lists and weak validators',
      );
      // Attribute order does not matter; POST shares the validator.
      const post = await evaluate(
        { context: { country: 'NL', key: 'carol' } },
        { authorization: clientId, 'if-none-match': etag },
      );
      assert.equal(post.status, 304);
      const other = await fetch(`${url}/client/v1/evaluate?clientId=${clientId}&context=${b64({ key: 'dave' })}`, {
        headers: { 'if-none-match': etag },
      });
      assert.equal(other.status, 200, 'another context, another ETag');
      await patchFlag('secret', [{ kind: 'turnFlagOn' }]);
      await publish();
      assert.equal(
        (await fetch(path, { headers: { 'if-none-match': etag } })).status,
        200,
        'a change invalidates the ETag',
      );
    });

    test('bad contexts and bodies: 400 problem documents with paths', async () => {
      const problem = async (res: Response) => {
        assert.equal(res.status, 400);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const body = (await res.json()) as { code: string; errors?: { path: string; code: string }[] };
        return body;
      };
      const paths = async (res: Response) => ((await problem(res)).errors ?? []).map((e) => `${e.path} ${e.code}`);
      assert.deepEqual(await paths(await evaluate({})), ['/context required']);
      assert.deepEqual(await paths(await evaluate({ context: {} })), ['/context/key required']);
      assert.deepEqual(await paths(await evaluate({ context: { key: 5 } })), ['/context/key invalid_type']);
      assert.deepEqual(await paths(await evaluate({ context: { key: '' } })), ['/context/key too_short']);
      assert.deepEqual(await paths(await evaluate({ context: { key: 'a', kind: 'bad kind' } })), [
        '/context/kind invalid_format',
      ]);
      assert.deepEqual(await paths(await evaluate({ context: 'alice' })), ['/context invalid_value']);
      assert.deepEqual(await paths(await evaluate({ context: [] })), ['/context invalid_value']);
      assert.deepEqual(await paths(await evaluate({ context: { kind: 'multi' } })), ['/context too_short']);
      assert.deepEqual(await paths(await evaluate({ context: { kind: 'multi', user: { name: 'x' } } })), [
        '/context/user/key required',
      ]);
      assert.deepEqual(await paths(await evaluate({ context: { kind: 'multi', 'no spaces': { key: 'x' } } })), [
        '/context/no spaces invalid_format',
      ]);
      assert.deepEqual(await paths(await evaluate({ context: { key: 'a' }, withReason: true })), [
        '/withReason unknown_property',
      ]);
      assert.deepEqual(await paths(await evaluate({ context: { key: 'a' }, withReasons: 'yes' })), [
        '/withReasons invalid_type',
      ]);
      assert.equal((await problem(await evaluate('{"context": '))).code, 'invalid_json');
      const get = (q: string) => fetch(`${url}/client/v1/evaluate?clientId=${clientId}&${q}`);
      assert.deepEqual(await paths(await get('context=not*base64')), ['/query/context invalid_format']);
      assert.deepEqual(await paths(await get(`context=${Buffer.from('{nope').toString('base64url')}`)), [
        '/query/context invalid_json',
      ]);
      assert.deepEqual(await paths(await get(`context=${b64({ kind: 'user' })}`)), ['/query/context/key required']);
      assert.deepEqual(await paths(await get('')), ['/query/context required']);
    });

    test('credentials: client-side IDs only; server keys 403, unknown 401', async () => {
      const status = async (res: Response, expected: number, code: string) => {
        assert.equal(res.status, expected);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(((await res.json()) as { code: string }).code, code);
      };
      const ctx = { context: { key: 'a' } };
      await status(await evaluate(ctx, {}), 401, 'unauthenticated');
      await status(await evaluate(ctx, { authorization: 'vxc_unknownunknownunknownunknown' }), 401, 'unauthenticated');
      await status(await evaluate(ctx, { authorization: 'garbage' }), 401, 'unauthenticated');
      await status(await evaluate(ctx, { authorization: serverKey }), 403, 'forbidden');
      await status(await evaluate(ctx, { authorization: `Bearer ${serverKey}` }), 403, 'forbidden');
      await status(
        await fetch(`${url}/client/v1/evaluate?clientId=${serverKey}&context=${b64({ key: 'a' })}`),
        403,
        'forbidden',
      );
      await status(
        await fetch(`${url}/client/v1/stream?clientId=${serverKey}&context=${b64({ key: 'a' })}`),
        403,
        'forbidden',
      );
      await status(await fetch(`${url}/client/v1/stream?context=${b64({ key: 'a' })}`), 401, 'unauthenticated');
    });

    test('bodies over 64 KiB: 413 problem', async () => {
      const res = await evaluate({ context: { key: 'a', blob: 'x'.repeat(70 * 1024) } });
      assert.equal(res.status, 413);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(((await res.json()) as { code: string }).code, 'payload_too_large');
      assert.equal(
        (await evaluate({ context: { key: 'a', blob: 'x'.repeat(60 * 1024) } })).status,
        200,
        'under the limit',
      );
    });

    test('CORS: a change of allowed origins applies to the next request', async () => {
      const NEW = 'https://new.example';
      const from = (origin: string) => evaluate({ context: { key: 'a' } }, { authorization: clientId, origin });
      assert.equal((await from(NEW)).headers.get('access-control-allow-origin'), null, 'read (and cached) first');
      await ok('PATCH', `${base}/environments/production`, { allowedOrigins: [ALLOWED, NEW] });
      assert.equal((await from(NEW)).headers.get('access-control-allow-origin'), NEW);
      await ok('PATCH', `${base}/environments/production`, {
        allowedOrigins: [ALLOWED, 'https://Other.Example.com:443'],
      });
      assert.equal((await from(NEW)).headers.get('access-control-allow-origin'), null, 'and its removal too');
    });

    test("CORS: permissive preflight; Allow-Origin only for the environment's origins", async () => {
      const pre = await fetch(`${url}/client/v1/evaluate`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      assert.equal(pre.status, 204);
      assert.equal(
        pre.headers.get('access-control-allow-origin'),
        'https://evil.example',
        'a preflight cannot know the environment',
      );
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /if-none-match/);
      assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.ok(Number(pre.headers.get('access-control-max-age')) > 0);
      const streamPre = await fetch(`${url}/client/v1/stream`, {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': 'GET' },
      });
      assert.equal(streamPre.status, 204);

      const allowed = await evaluate({ context: { key: 'a' } }, { authorization: clientId, origin: ALLOWED });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
      assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /etag/);
      assert.match(allowed.headers.get('vary') ?? '', /origin/i);
      const normalised = await evaluate(
        { context: { key: 'a' } },
        { authorization: clientId, origin: 'https://other.example.com' },
      );
      assert.equal(
        normalised.headers.get('access-control-allow-origin'),
        'https://other.example.com',
        'origins compare as browsers serialise them',
      );

      const denied = await evaluate(
        { context: { key: 'a' } },
        { authorization: clientId, origin: 'https://evil.example' },
      );
      assert.equal(denied.status, 200, 'the server answers; the browser withholds the response');
      assert.equal(denied.headers.get('access-control-allow-origin'), null);
      const noOrigin = await evaluate({ context: { key: 'a' } });
      assert.equal(noOrigin.headers.get('access-control-allow-origin'), null);

      const anyOrigin = await evaluate(
        { context: { key: 'a' } },
        { authorization: stagingClientId, origin: 'https://anything.example' },
      );
      assert.equal(
        anyOrigin.headers.get('access-control-allow-origin'),
        'https://anything.example',
        '"*" allows every origin',
      );

      const badRequest = await evaluate({ context: {} }, { authorization: clientId, origin: ALLOWED });
      assert.equal(badRequest.status, 400);
      assert.equal(
        badRequest.headers.get('access-control-allow-origin'),
        ALLOWED,
        'an allowed page can read its errors',
      );

      const sse = new SseReader(`${url}/client/v1/stream?clientId=${clientId}&context=${b64({ key: 'a' })}`, {
        origin: ALLOWED,
      });
      await sse.next((e) => e.event === 'put');
      assert.equal(sse.headers['access-control-allow-origin'], ALLOWED, 'the hijacked stream carries CORS headers');
      sse.close();
    });

    test("stream: put, then a patch only when a change alters this context's values", async () => {
      const open = (ctx: unknown) =>
        new SseReader(`${url}/client/v1/stream?clientId=${clientId}&context=${b64(ctx)}&withReasons=true`);
      const alice = open({ key: 'alice', country: 'NL' });
      const bob = open({ key: 'bob', country: 'US' });
      const putA = await alice.next((e) => e.event === 'put');
      const putB = await bob.next((e) => e.event === 'put');
      const initial = JSON.parse(putA.data) as { flags: Record<string, { value: unknown }> };
      assert.deepEqual(Object.keys(initial.flags).sort(), ['banner', 'gate', 'theme']);
      assert.equal(initial.flags.banner?.value, true);
      assert.equal(JSON.parse(putB.data).flags.banner.value, false);
      const seq = Number(putA.id);
      assert.ok(seq > 0);

      // Targeting bob changes banner for bob only.
      let started = performance.now();
      await patchFlag('banner', [{ kind: 'addTargets', variation: 0, values: ['bob'] }]);
      const bobPatch = await bob.next((e) => e.event === 'patch');
      const ms = performance.now() - started;
      assert.deepEqual(JSON.parse(bobPatch.data), {
        flags: {
          banner: {
            value: true,
            variation: 0,
            version: JSON.parse(bobPatch.data).flags.banner.version,
            reason: { kind: 'TARGET_MATCH' },
          },
        },
      });
      assert.ok(Number(bobPatch.id) > seq, 'event ids are the feed sequence');
      assert.ok(ms < 1000, `patch took ${ms} ms to arrive`);
      // A flag that is not client-visible and no client-visible flag depends on: nothing for anyone.
      await ok('POST', `${base}/flags`, { key: 'server-only', name: 'Server only' });
      await patchFlag('server-only', [{ kind: 'turnFlagOn' }]);
      await publish();
      await sleep(300);
      assert.equal(
        alice.events.filter((e) => e.event === 'patch').length,
        0,
        'alice got nothing for changes that do not affect her',
      );
      assert.equal(bob.events.filter((e) => e.event === 'patch').length, 1);

      // secret is not client-visible, but gate depends on it: turning it off flips gate for everyone.
      started = performance.now();
      await patchFlag('secret', [{ kind: 'turnFlagOff' }]);
      const gateA = JSON.parse((await alice.next((e) => e.event === 'patch')).data);
      assert.deepEqual(Object.keys(gateA.flags), ['gate'], 'only the flag whose value changed');
      assert.equal(gateA.flags.gate.value, false);
      assert.deepEqual(gateA.flags.gate.reason, { kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'secret' });
      assert.equal(JSON.parse((await bob.next((e) => e.event === 'patch')).data).flags.gate.value, false);
      assert.ok(performance.now() - started < 1000);

      // A segment change re-evaluates everything, and sends only what changed.
      await ok('POST', `${base}/environments/production/segments`, {
        key: 'beta',
        name: 'Beta',
        included: [{ values: ['alice'] }],
      });
      await patchFlag('theme', [
        {
          kind: 'addRule',
          beforeRuleId: 'nl',
          rule: { id: 'beta', clauses: [{ op: 'segmentMatch', values: ['beta'] }], serve: { variation: 0 } },
        },
      ]);
      const themeA = JSON.parse((await alice.next((e) => e.event === 'patch')).data);
      assert.deepEqual([themeA.flags.theme.value, themeA.flags.theme.reason.ruleId], ['light', 'beta']);
      await ok('PUT', `${base}/environments/production/segments/beta`, { name: 'Beta', included: [] });
      const themeBack = JSON.parse((await alice.next((e) => e.event === 'patch')).data);
      assert.deepEqual([Object.keys(themeBack.flags), themeBack.flags.theme.value], [['theme'], 'dark']);
      await sleep(200);
      assert.equal(
        bob.events.filter((e) => e.event === 'patch').length,
        2,
        'bob (US, fallthrough light) saw no theme change',
      );

      // No longer client-visible: the flag is removed with null.
      await ok('PATCH', `${base}/flags/banner`, { clientVisible: false });
      assert.deepEqual(JSON.parse((await alice.next((e) => e.event === 'patch')).data), { flags: { banner: null } });
      await ok('PATCH', `${base}/flags/banner`, { clientVisible: true });
      assert.equal(
        JSON.parse((await alice.next((e) => e.event === 'patch')).data).flags.banner.value,
        true,
        'and back',
      );

      await sleep(450);
      assert.ok(alice.comments >= 1, 'heartbeats');
      alice.close();
      bob.close();
    });

    test('stream: a feed reset re-evaluates and sends only differences', async () => {
      const sse = new SseReader(`${url}/client/v1/stream?clientId=${clientId}&context=${b64({ key: 'erin' })}`);
      await sse.next((e) => e.event === 'put');
      const feed = await s.vexil.hub?.feed(
        (await s.db.query<{ id: string }>("SELECT id FROM environments WHERE key = 'production' LIMIT 1"))[0]
          ?.id as string,
      );
      assert.ok(feed);
      const snapshot = feed.snapshot();
      const banner = snapshot.flags.banner as { on: boolean };
      snapshot.flags.banner = { ...banner, on: false } as never;
      snapshot.seq += 1;
      feed.reset(snapshot);
      const patch = await sse.next((e) => e.event === 'patch');
      assert.deepEqual(Object.keys(JSON.parse(patch.data).flags), ['banner']);
      assert.equal(Number(patch.id), snapshot.seq);
      sse.close();
    });

    test('stream limits per client-side ID: 429', async () => {
      const ctx = b64({ key: 'z' });
      const open = [0, 1, 2].map(() => new SseReader(`${url}/client/v1/stream?clientId=${clientId}&context=${ctx}`));
      await Promise.all(open.map((o) => o.next((e) => e.event === 'put')));
      const extra = await fetch(`${url}/client/v1/stream?clientId=${clientId}&context=${ctx}`);
      assert.equal(extra.status, 429);
      for (const o of open) o.close();
    });
  });
}
