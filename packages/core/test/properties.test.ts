import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createEvaluator, type Flag } from '../src/index.js';
import { boolFlag } from './fixtures.js';

describe('bucketing is uniform', () => {
  // Every weight must come out within ±0.5 percentage points over 100k random keys.
  const weightsCases: number[][] = [
    [50_000, 50_000],
    [10_000, 20_000, 30_000, 40_000],
    [1_000, 99_000],
    [33_333, 33_333, 33_334],
  ];
  for (const weights of weightsCases) {
    test(`weights ${weights.join('/')}`, () => {
      const flag: Flag = {
        key: 'uniform',
        version: 1,
        kind: 'number',
        variations: weights.map((_, i) => ({ value: i })),
        on: true,
        fallthrough: { rollout: { variations: weights.map((weight, variation) => ({ variation, weight })) } },
      };
      const r = createEvaluator({ flags: [flag] });
      assert.ok(r.ok);
      const keys = fc.sample(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), {
        numRuns: 100_000,
        seed: 42,
      });
      const counts = weights.map(() => 0);
      for (const key of keys) {
        const i = r.evaluator.evaluate('uniform', { key }).variationIndex as number;
        counts[i] = (counts[i] ?? 0) + 1;
      }
      weights.forEach((w, i) => {
        const share = ((counts[i] ?? 0) / keys.length) * 100;
        assert.ok(Math.abs(share - w / 1000) <= 0.5, `variation ${i}: ${share.toFixed(3)}% vs ${w / 1000}%`);
      });
    });
  }

  test('a percentage clause admits its share and the same contexts every time', () => {
    const flag = boolFlag('pct', {
      rules: [{ id: 'r', clauses: [{ op: 'percentage', values: [12.5] }], serve: { variation: 1 } }],
    });
    const r = createEvaluator({ flags: [flag] });
    assert.ok(r.ok);
    let inside = 0;
    for (let i = 0; i < 100_000; i++) {
      const a = r.evaluator.evaluate('pct', { key: `user-${i}` }).value;
      if (a === true) inside++;
      if (i % 997 === 0) assert.equal(r.evaluator.evaluate('pct', { key: `user-${i}` }).value, a);
    }
    assert.ok(Math.abs(inside / 1000 - 12.5) <= 0.5, `${inside / 1000}%`);
  });
});

describe('evaluation returns a result for any JSON context', () => {
  const flags: Flag[] = [
    boolFlag('every-op', {
      targets: [{ variation: 1, values: ['t1'] }],
      rules: [
        {
          id: 'all',
          clauses: [
            { attribute: 'a', op: 'in', values: ['x', 1, true] },
            { attribute: '/deep/path', op: 'startsWith', values: ['p'], caseInsensitive: true },
            { attribute: 'n', op: 'greaterThanOrEqual', values: [3] },
            { attribute: 'd', op: 'after', values: ['2020-01-01'] },
            { attribute: 'v', op: 'semVerLessThan', values: ['2.0.0'] },
            { attribute: 'ip', op: 'inCidr', values: ['10.0.0.0/8', '::1'] },
            { attribute: 's', op: 'matches', values: ['^a+b'] },
            { attribute: 'kind', op: 'in', values: ['user'] },
            { contextKind: 'org', attribute: 'plan', op: 'exists', values: [], negate: true },
          ],
          serve: { variation: 1 },
        },
        {
          id: 'pct',
          clauses: [{ op: 'percentage', values: [50] }],
          serve: {
            rollout: {
              variations: [
                { variation: 0, weight: 50_000 },
                { variation: 1, weight: 50_000 },
              ],
            },
          },
        },
      ],
    }),
  ];

  test('never throws, always a well-formed result', () => {
    const r = createEvaluator({ flags });
    assert.ok(r.ok);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ kind: fc.constantFrom('user', 'multi', 'org'), key: fc.jsonValue() }, { requiredKeys: [] }),
          fc.dictionary(fc.string(), fc.jsonValue()),
        ),
        (context) => {
          const result = r.evaluator.evaluate('every-op', context);
          assert.ok(result.variationIndex === 0 || result.variationIndex === 1);
          assert.equal(typeof result.value, 'boolean');
          assert.ok(['FALLTHROUGH', 'RULE_MATCH', 'TARGET_MATCH'].includes(result.reason.kind));
        },
      ),
      { numRuns: 5_000, seed: 7 },
    );
  });
});
