import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const base = '/api/v1/projects/default';

for (const kind of await storeKinds()) {
  describe(`flag management API on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s?.close();
    });

    test('creates a flag with two rules and a rollout, and each change is audited and queued for the data plane', async () => {
      const created = await s.call('POST', `${base}/flags`, {
        body: { key: 'checkout', name: 'New checkout', tags: ['payments'], comment: 'for Q4' },
      });
      assert.equal(created.status, 201);
      assert.deepEqual(Object.keys(created.body.environments).sort(), ['production', 'staging']);
      assert.equal(created.body.environments.production.on, false);

      const cfg = await s.call('GET', `${base}/flags/checkout/environments/production`);
      assert.equal(cfg.headers.etag, '"1"');
      const put = await s.call('PUT', `${base}/flags/checkout/environments/production`, {
        headers: { 'if-match': cfg.headers.etag as string },
        body: {
          on: true,
          offVariation: 1,
          rules: [
            {
              id: 'staff',
              clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }],
              serve: { variation: 0 },
            },
            {
              id: 'na',
              clauses: [{ attribute: 'country', op: 'in', values: ['US', 'CA'] }],
              serve: {
                rollout: {
                  variations: [
                    { variation: 0, weight: 25_000 },
                    { variation: 1, weight: 75_000 },
                  ],
                },
              },
            },
          ],
          fallthrough: { variation: 1 },
          comment: 'launch in North America',
        },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.headers.etag, '"2"');
      assert.equal(put.body.rules.length, 2);

      const outbox = await s.db.query<{
        seq: number;
        op: string;
        key: string;
        payload: { on: boolean; version: number };
      }>(
        `SELECT o.seq, o.op, o.key, o.payload FROM outbox o JOIN environments e ON e.id = o.environment_id
         WHERE e.key = 'production' AND o.key = 'checkout' ORDER BY o.seq`,
      );
      assert.equal(outbox.length, 2);
      assert.equal((outbox[1]?.seq ?? 0) - (outbox[0]?.seq ?? 0), 1, 'sequence numbers are consecutive');
      assert.deepEqual([outbox[1]?.payload.on, outbox[1]?.payload.version], [true, 2]);

      const audit = await s.db.query<{
        action: string;
        comment: string;
        environment_key: string | null;
        actor_name: string;
      }>(
        "SELECT action, comment, environment_key, actor_name FROM audit_events WHERE resource_key = 'checkout' ORDER BY seq",
      );
      assert.deepEqual(
        audit.map((a) => [a.action, a.comment, a.environment_key]),
        [
          ['flag.create', 'for Q4', null],
          ['flag.config.update', 'launch in North America', 'production'],
        ],
      );
    });

    test('a stale If-Match gets 412 and changes nothing', async () => {
      await s.call('POST', `${base}/flags`, { body: { key: 'stale', name: 'Stale' } });
      const first = await s.call('PATCH', `${base}/flags/stale/environments/staging`, {
        headers: { 'if-match': '"1"' },
        body: { instructions: [{ kind: 'turnFlagOn' }] },
      });
      assert.equal(first.status, 200);
      const second = await s.call('PATCH', `${base}/flags/stale/environments/staging`, {
        headers: { 'if-match': '"1"' },
        body: { instructions: [{ kind: 'turnFlagOff' }] },
      });
      assert.equal(second.status, 412);
      assert.equal(second.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(second.body.code, 'precondition_failed');
      const now = await s.call('GET', `${base}/flags/stale/environments/staging`);
      assert.equal(now.body.on, true);
      assert.equal(now.body.version, 2);
      const bad = await s.call('PATCH', `${base}/flags/stale/environments/staging`, {
        headers: { 'if-match': 'garbage' },
        body: { instructions: [{ kind: 'turnFlagOff' }] },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, '/headers/if-match');
    });

    test('invalid targeting is refused with every problem and its path, through @vexil/core', async () => {
      await s.call('POST', `${base}/flags`, { body: { key: 'strict', name: 'Strict' } });
      const res = await s.call('PUT', `${base}/flags/strict/environments/production`, {
        body: {
          on: true,
          fallthrough: {
            rollout: {
              variations: [
                { variation: 0, weight: 60_000 },
                { variation: 1, weight: 30_000 },
              ],
            },
          },
          rules: [
            { id: 'r', clauses: [{ attribute: 'email', op: 'matches', values: ['(a+)\\1'] }], serve: { variation: 7 } },
            { id: 'r', clauses: [{ op: 'segmentMatch', values: ['nobody'] }], serve: { variation: 0 } },
          ],
          prerequisites: [{ key: 'strict', variation: 0 }],
        },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'validation_failed');
      const paths = res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`).sort();
      assert.deepEqual(paths, [
        '/fallthrough/rollout/variations weights_sum',
        '/prerequisites/0/key prerequisite_cycle',
        '/rules/0/clauses/0/values/0 invalid_regex',
        '/rules/0/serve/variation unknown_variation',
        '/rules/1/id duplicate',
      ]);
    });

    test('prerequisite cycles across flags and unknown segments are refused', async () => {
      await s.call('POST', `${base}/flags`, { body: { key: 'parent', name: 'Parent' } });
      await s.call('POST', `${base}/flags`, { body: { key: 'child', name: 'Child' } });
      const ok = await s.call('PATCH', `${base}/flags/child/environments/production`, {
        body: { instructions: [{ kind: 'addPrerequisite', key: 'parent', variation: 0 }] },
      });
      assert.equal(ok.status, 200);
      const cycle = await s.call('PATCH', `${base}/flags/parent/environments/production`, {
        body: { instructions: [{ kind: 'addPrerequisite', key: 'child', variation: 0 }] },
      });
      assert.equal(cycle.status, 400);
      assert.equal(cycle.body.errors[0].code, 'prerequisite_cycle');
      assert.match(cycle.body.errors[0].message, /parent → child → parent/);
      const seg = await s.call('PATCH', `${base}/flags/parent/environments/production`, {
        body: {
          instructions: [
            {
              kind: 'addRule',
              rule: { id: 'beta', clauses: [{ op: 'segmentMatch', values: ['beta-users'] }], serve: { variation: 0 } },
            },
          ],
        },
      });
      assert.equal(seg.status, 400);
      assert.deepEqual(seg.body.errors[0], {
        path: '/rules/0/clauses/0/values/0',
        code: 'unknown_segment',
        message: 'no segment "beta-users" in this environment',
      });
      const archive = await s.call('POST', `${base}/flags/parent/archive`);
      assert.equal(archive.status, 409, 'a prerequisite cannot be archived');
    });

    test('semantic instructions: rules, targets, rollout, copy from another environment', async () => {
      await s.call('POST', `${base}/flags`, { body: { key: 'sem', name: 'Semantic' } });
      const url = `${base}/flags/sem/environments/staging`;
      const r = await s.call('PATCH', url, {
        body: {
          comment: 'beta',
          instructions: [
            { kind: 'turnFlagOn' },
            {
              kind: 'addRule',
              rule: { id: 'b', clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variation: 0 } },
            },
            {
              kind: 'addRule',
              rule: { id: 'a', clauses: [{ attribute: 'beta', op: 'in', values: [true] }], serve: { variation: 0 } },
              beforeRuleId: 'b',
            },
            { kind: 'addTargets', variation: 0, values: ['alice', 'bob'] },
            { kind: 'addTargets', variation: 1, values: ['bob'] },
            {
              kind: 'setFallthrough',
              serve: {
                rollout: {
                  variations: [
                    { variation: 0, weight: 10_000 },
                    { variation: 1, weight: 90_000 },
                  ],
                },
              },
            },
          ],
        },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.rules.map((x: { id: string }) => x.id),
        ['a', 'b'],
      );
      assert.deepEqual(r.body.targets, [
        { variation: 0, values: ['alice'] },
        { variation: 1, values: ['bob'] },
      ]);
      const missing = await s.call('PATCH', url, {
        body: { instructions: [{ kind: 'turnFlagOff' }, { kind: 'removeRule', ruleId: 'zzz' }] },
      });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors[0].path, '/instructions/1/ruleId');
      assert.equal((await s.call('GET', url)).body.on, true, 'a failed batch applies none of its instructions');

      const copy = await s.call('PATCH', `${base}/flags/sem/environments/production`, {
        body: { instructions: [{ kind: 'copyFromEnvironment', environment: 'staging' }] },
      });
      assert.equal(copy.status, 200);
      assert.deepEqual(copy.body.rules, r.body.rules);
      const unknownKind = await s.call('PATCH', url, { body: { instructions: [{ kind: 'explode' }] } });
      assert.equal(unknownKind.status, 400);
    });

    test('archive, restore, and delete only when archived', async () => {
      await s.call('POST', `${base}/flags`, { body: { key: 'old', name: 'Old' } });
      assert.equal((await s.call('DELETE', `${base}/flags/old`)).status, 409);
      assert.equal((await s.call('POST', `${base}/flags/old/archive`, { body: { comment: 'done' } })).status, 200);
      const list = await s.call('GET', `${base}/flags?state=archived`);
      assert.deepEqual(
        list.body.items.map((f: { key: string }) => f.key),
        ['old'],
      );
      const deletes = await s.db.query("SELECT op FROM outbox WHERE key = 'old' ORDER BY id DESC LIMIT 2");
      assert.deepEqual(
        deletes.map((d) => d.op),
        ['delete', 'delete'],
      );
      assert.equal((await s.call('POST', `${base}/flags/old/restore`)).status, 200);
      assert.equal((await s.call('POST', `${base}/flags/old/archive`)).status, 200);
      assert.equal((await s.call('DELETE', `${base}/flags/old`)).status, 204);
      assert.equal((await s.call('GET', `${base}/flags/old`)).status, 404);
    });

    test('search, tag filter and cursor pagination', async () => {
      for (const i of [1, 2, 3, 4, 5]) {
        await s.call('POST', `${base}/flags`, {
          body: { key: `page-${i}`, name: `Paged ${i}`, tags: i % 2 ? ['odd'] : ['even'] },
        });
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { key: string }[]; nextCursor: string | null } } = await s.call(
          'GET',
          `${base}/flags?q=PAGE-&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.body.items.map((f) => f.key));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
      const odd = await s.call('GET', `${base}/flags?tag=odd&q=page`);
      assert.deepEqual(
        odd.body.items.map((f: { key: string }) => f.key),
        ['page-1', 'page-3', 'page-5'],
      );
      const bad = await s.call('GET', `${base}/flags?limit=lots&state=gone`);
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['/query/limit', '/query/state']);
    });

    test('changing variations is checked against every environment and re-versions them all', async () => {
      await s.call('POST', `${base}/flags`, {
        body: {
          key: 'colour',
          name: 'Colour',
          kind: 'string',
          variations: [{ value: 'red' }, { value: 'green' }, { value: 'blue' }],
        },
      });
      await s.call('PATCH', `${base}/flags/colour/environments/production`, {
        body: { instructions: [{ kind: 'setFallthrough', serve: { variation: 2 } }] },
      });
      const shrink = await s.call('PATCH', `${base}/flags/colour`, {
        body: { variations: [{ value: 'red' }, { value: 'green' }] },
      });
      assert.equal(shrink.status, 400);
      assert.ok(
        shrink.body.errors.some((e: { path: string }) => e.path.startsWith('/environments/production/')),
        JSON.stringify(shrink.body),
      );
      const wrongType = await s.call('PATCH', `${base}/flags/colour`, {
        body: { variations: [{ value: 'red' }, { value: 2 }, { value: 'blue' }] },
      });
      assert.equal(wrongType.status, 400);
      const rename = await s.call('PATCH', `${base}/flags/colour`, {
        body: { variations: [{ value: 'crimson' }, { value: 'green' }, { value: 'blue' }] },
      });
      assert.equal(rename.status, 200);
      assert.equal(rename.body.environments.production.version, 3);
      assert.equal(rename.body.environments.staging.version, 2);
    });

    test('environments: create by cloning, order and colour, and segments with references', async () => {
      await s.call('POST', `${base}/flags`, { body: { key: 'cloned', name: 'Cloned' } });
      await s.call('PATCH', `${base}/flags/cloned/environments/staging`, {
        body: { instructions: [{ kind: 'turnFlagOn' }] },
      });
      const seg = await s.call('POST', `${base}/environments/staging/segments`, {
        body: { key: 'beta', name: 'Beta', included: [{ values: ['u1'] }] },
      });
      assert.equal(seg.status, 201);
      const env = await s.call('POST', `${base}/environments`, {
        body: { key: 'qa', name: 'QA', color: '#00aa55', cloneFrom: 'staging', sortOrder: 5 },
      });
      assert.equal(env.status, 201, JSON.stringify(env.body));
      assert.equal(env.body.color, '#00aa55');
      assert.equal((await s.call('GET', `${base}/flags/cloned/environments/qa`)).body.on, true);
      assert.equal(
        (await s.call('GET', `${base}/environments/qa/segments/beta`)).body.config.included[0].values[0],
        'u1',
      );
      const envs = await s.call('GET', `${base}/environments`);
      assert.deepEqual(
        envs.body.items.map((e: { key: string }) => e.key),
        ['production', 'staging', 'qa'],
      );

      const use = await s.call('PATCH', `${base}/flags/cloned/environments/qa`, {
        body: {
          instructions: [
            {
              kind: 'addRule',
              rule: { id: 'beta', clauses: [{ op: 'segmentMatch', values: ['beta'] }], serve: { variation: 0 } },
            },
          ],
        },
      });
      assert.equal(use.status, 200);
      const del = await s.call('DELETE', `${base}/environments/qa/segments/beta`);
      assert.equal(del.status, 409);
      assert.match(del.body.detail, /flag cloned/);
      const put = await s.call('PUT', `${base}/environments/qa/segments/beta`, {
        headers: { 'if-match': '"9"' },
        body: { name: 'Beta', included: [] },
      });
      assert.equal(put.status, 412);
      const dup = await s.call('POST', `${base}/environments`, { body: { key: 'qa', name: 'Again' } });
      assert.equal(dup.status, 409);
    });

    test('bad bodies: unknown fields, wrong JSON, too deep, too large, wrong media type', async () => {
      const unknown = await s.call('POST', `${base}/flags`, { body: { key: 'x', name: 'X', colour: 'red' } });
      assert.deepEqual(unknown.body.errors, [
        { path: '/colour', code: 'unknown_property', message: 'is not a known property' },
      ]);
      const broken = await s.call('POST', `${base}/flags`, { body: '{"key": ' });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.code, 'invalid_json');
      const deep = await s.call('POST', `${base}/flags`, { body: `${'['.repeat(100)}${']'.repeat(100)}` });
      assert.equal(deep.body.code, 'body_too_deep');
      const large = await s.call('POST', `${base}/flags`, {
        body: JSON.stringify({ key: 'big', name: 'x'.repeat(2 * 1024 * 1024) }),
      });
      assert.equal(large.status, 413);
      const text = await s.call('POST', `${base}/flags`, { body: 'key=x', headers: { 'content-type': 'text/plain' } });
      assert.equal(text.status, 415);
      const proto = await s.call('POST', `${base}/flags`, {
        body: '{"key":"p","name":"P","__proto__":{"admin":true}}',
      });
      assert.equal(proto.status, 201);
    });

    test('serves the OpenAPI 3.1 document generated from the validating schemas, and the docs page', async () => {
      const doc = await s.call('GET', '/api/v1/openapi.json', { token: null });
      assert.equal(doc.status, 200);
      assert.equal(doc.body.openapi, '3.1.0');
      const put = doc.body.paths['/api/v1/projects/{project}/flags/{flag}/environments/{environment}'].put;
      const body = put.requestBody.content['application/json'].schema;
      assert.ok(body.properties.rules, 'the PUT body schema is the rule schema from @vexil/core');
      assert.equal((await s.call('GET', '/docs/', { token: null })).status, 200);
    });
  });
}
