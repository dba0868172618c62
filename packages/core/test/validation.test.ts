import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEvaluator, validateFlag, validateSegment, validateSnapshot } from '../src/index.js';
import { boolFlag, segment } from './fixtures.js';

const codesAt = (issues: { path: string; code: string }[]) => issues.map((i) => `${i.path} ${i.code}`).sort();

describe('validateFlag', () => {
  test('a well-formed flag has no issues', () => {
    assert.deepEqual(validateFlag(boolFlag('a')), []);
  });

  test('reports every structural problem with its path, not just the first', () => {
    const issues = validateFlag({
      key: 'has space',
      version: -1,
      kind: 'bool',
      variations: [],
      on: 'yes',
      fallthrough: {},
      extra: 1,
    });
    assert.deepEqual(codesAt(issues), [
      '/extra unknown_property',
      '/fallthrough invalid_serve',
      '/key invalid_format',
      '/kind invalid_value',
      '/on invalid_type',
      '/variations too_short',
      '/version too_small',
    ]);
  });

  test('reports semantic problems: variation indices, types, duplicate rule ids, weights, regex', () => {
    const issues = validateFlag(
      boolFlag('a', {
        variations: [{ value: false }, { value: 'yes' }],
        offVariation: 2,
        rules: [
          { id: 'r', clauses: [{ attribute: 'email', op: 'matches', values: ['(a)\\1'] }], serve: { variation: 5 } },
          {
            id: 'r',
            clauses: [{ attribute: 'age', op: 'greaterThan', values: ['old'] }],
            serve: {
              rollout: {
                variations: [
                  { variation: 0, weight: 60_000 },
                  { variation: 1, weight: 30_000 },
                ],
              },
            },
          },
        ],
        fallthrough: { variation: 1, rollout: { variations: [{ variation: 0, weight: 100_000 }] } },
      }),
    );
    assert.deepEqual(codesAt(issues), [
      '/fallthrough invalid_serve',
      '/offVariation unknown_variation',
      '/rules/0/clauses/0/values/0 invalid_regex',
      '/rules/0/serve/variation unknown_variation',
      '/rules/1/clauses/0/values/0 invalid_value',
      '/rules/1/id duplicate',
      '/rules/1/serve/rollout/variations weights_sum',
      '/variations/1/value wrong_type',
    ]);
  });

  test('rejects operands that cannot be compared: dates without offset, non-semver, bad CIDR', () => {
    const issues = validateFlag(
      boolFlag('a', {
        rules: [
          {
            id: 'r',
            clauses: [
              { attribute: 'signup', op: 'before', values: ['2026-01-01T00:00:00'] },
              { attribute: 'version', op: 'semVerLessThan', values: ['v1.2.3'] },
              { attribute: 'ip', op: 'inCidr', values: ['10.0.0.0/33'] },
              { attribute: 'x', op: 'exists', values: ['y'] },
              { op: 'percentage', values: [101] },
            ],
            serve: { variation: 1 },
          },
        ],
      }),
    );
    assert.deepEqual(codesAt(issues), [
      '/rules/0/clauses/0/values/0 invalid_value',
      '/rules/0/clauses/1/values/0 invalid_value',
      '/rules/0/clauses/2/values/0 invalid_value',
      '/rules/0/clauses/3/values not_applicable',
      '/rules/0/clauses/4/values invalid_value',
    ]);
  });

  test('non-objects and hostile documents are reported, never thrown', () => {
    for (const input of [null, 42, 'flag', [], { __proto__: { on: true } }]) {
      assert.ok(validateFlag(input).length > 0);
    }
    let deep: unknown = { value: 1 };
    for (let i = 0; i < 1000; i++) deep = { nested: deep };
    assert.deepEqual(
      validateFlag(boolFlag('a', { kind: 'json', variations: [{ value: deep as never }, { value: 1 }] })),
      [],
    );
  });
});

describe('validateSnapshot', () => {
  test('finds prerequisite cycles, unknown prerequisites and unknown segments', () => {
    const issues = validateSnapshot({
      flags: [
        boolFlag('a', { prerequisites: [{ key: 'b', variation: 1 }] }),
        boolFlag('b', { prerequisites: [{ key: 'a', variation: 1 }] }),
        boolFlag('c', {
          prerequisites: [{ key: 'ghost', variation: 0 }],
          rules: [{ id: 'r', clauses: [{ op: 'segmentMatch', values: ['nobody'] }], serve: { variation: 1 } }],
        }),
      ],
      segments: [],
    });
    assert.deepEqual(codesAt(issues), [
      '/flags/0/prerequisites prerequisite_cycle',
      '/flags/2/prerequisites/0/key unknown_flag',
      '/flags/2/rules/0/clauses/0/values/0 unknown_segment',
    ]);
    assert.match(issues.find((i) => i.code === 'prerequisite_cycle')?.message ?? '', /a → b → a/);
  });

  test('finds segment cycles and duplicate keys', () => {
    const ref = (key: string) => ({ id: 'r', clauses: [{ op: 'segmentMatch' as const, values: [key] }] });
    const issues = validateSnapshot({
      flags: [boolFlag('a'), boolFlag('a')],
      segments: [segment('s1', { rules: [ref('s2')] }), segment('s2', { rules: [ref('s1')] })],
    });
    assert.deepEqual(codesAt(issues), ['/flags/1/key duplicate', '/segments/0/rules segment_cycle']);
  });

  test('createEvaluator refuses an invalid snapshot whole', () => {
    const r = createEvaluator({ flags: [boolFlag('ok'), boolFlag('bad', { offVariation: 9 })] });
    assert.equal(r.ok, false);
  });
});

describe('validateSegment', () => {
  test('reports duplicate rule ids and bad clauses', () => {
    const issues = validateSegment(
      segment('s', {
        rules: [
          { id: 'x', clauses: [{ attribute: 'a', op: 'matches', values: ['(?=x)'] }] },
          { id: 'x', clauses: [] },
        ],
      }),
    );
    assert.deepEqual(codesAt(issues), ['/rules/0/clauses/0/values/0 invalid_regex', '/rules/1/id duplicate']);
  });
});
