import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEvaluator, type Evaluator } from '../src/index.js';
import { boolFlag, segment } from './fixtures.js';

const build = (...args: Parameters<typeof createEvaluator>): Evaluator => {
  const r = createEvaluator(...args);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.evaluator;
};

describe('tiered compilation', () => {
  test('a flag evaluated often switches to generated code and keeps its results', () => {
    const flag = boolFlag('hot', {
      rules: [
        {
          id: 'a',
          clauses: [
            { attribute: 'country', op: 'in', values: ['US', 'CA', 'MX'] },
            { attribute: 'age', op: 'greaterThan', values: [20] },
          ],
          serve: { variation: 1 },
        },
        {
          id: 'b',
          clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'], negate: true }],
          serve: { variation: 0 },
        },
      ],
      fallthrough: { variation: 1 },
    });
    const ev = build({ flags: [flag] });
    const compiled = ev.flag('hot');
    assert.equal(compiled?.tier, 'closures');
    const contexts = [
      { key: 'u', country: 'US', age: 30 },
      { key: 'u', country: 'US', age: '30' },
      { key: 'u', country: ['FR', 'CA'], age: [10, 25] },
      { key: 'u', country: 'US', age: Number.POSITIVE_INFINITY, email: 'a@example.com' },
      { kind: 'multi', user: { key: 'u', country: 'MX', age: 21 } },
      { key: 'u', email: 'x@other.org' },
      null,
    ];
    const early = contexts.map((c) => ev.evaluate('hot', c));
    for (let i = 0; i < 1000; i++) ev.evaluate('hot', contexts[i % contexts.length]);
    assert.equal(compiled?.tier, 'generated', 'the flag tiered up');
    assert.deepEqual(
      contexts.map((c) => ev.evaluate('hot', c)),
      early,
    );
  });

  test('codegen off keeps the closures', () => {
    const r = createEvaluator(
      { flags: [boolFlag('cold', { rules: [{ id: 'a', clauses: [], serve: { variation: 1 } }] })] },
      { codegen: 'off' },
    );
    assert.ok(r.ok);
    for (let i = 0; i < 2000; i++) r.evaluator.evaluate('cold', {});
    assert.equal(r.evaluator.flag('cold')?.tier, 'closures');
  });
});

describe('evaluator updates', () => {
  test('replacing a segment changes every flag that refers to it, without recompiling them', () => {
    const ev = build({
      flags: [
        boolFlag('f', {
          rules: [{ id: 'r', clauses: [{ op: 'segmentMatch', values: ['beta'] }], serve: { variation: 1 } }],
        }),
      ],
      segments: [segment('beta', { included: [{ values: ['u1'] }] })],
    });
    assert.equal(ev.evaluate('f', { key: 'u1' }).value, true);
    assert.equal(ev.evaluate('f', { key: 'u2' }).value, false);
    assert.deepEqual(ev.setSegment(segment('beta', { version: 2, included: [{ values: ['u2'] }] })), []);
    assert.equal(ev.evaluate('f', { key: 'u1' }).value, false);
    assert.equal(ev.evaluate('f', { key: 'u2' }).value, true);
    ev.deleteSegment('beta');
    assert.equal(ev.evaluate('f', { key: 'u2' }).value, false);
  });

  test('a prerequisite updated or deleted later is seen by its dependents', () => {
    const ev = build({
      flags: [
        boolFlag('parent', { fallthrough: { variation: 1 } }),
        boolFlag('child', { fallthrough: { variation: 1 }, prerequisites: [{ key: 'parent', variation: 1 }] }),
      ],
    });
    assert.equal(ev.evaluate('child', { key: 'u' }).value, true);
    ev.setFlag(boolFlag('parent', { version: 2, on: false }));
    assert.deepEqual(ev.evaluate('child', { key: 'u' }).reason, {
      kind: 'PREREQUISITE_FAILED',
      prerequisiteKey: 'parent',
    });
    ev.deleteFlag('parent');
    assert.equal(ev.evaluate('child', { key: 'u' }).reason.kind, 'PREREQUISITE_FAILED');
    assert.deepEqual(ev.evaluate('parent', { key: 'u' }).reason, { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
  });

  test('an invalid update is refused and the previous version keeps serving', () => {
    const ev = build({ flags: [boolFlag('f', { fallthrough: { variation: 1 } })] });
    const issues = ev.setFlag(boolFlag('f', { version: 2, fallthrough: { variation: 7 } }));
    assert.equal(issues[0]?.code, 'unknown_variation');
    assert.deepEqual(ev.evaluate('f', {}), {
      value: true,
      variationIndex: 1,
      reason: { kind: 'FALLTHROUGH' },
      version: 1,
      inExperiment: false,
    });
  });

  test('a prerequisite cycle introduced by updates is an error result, not a stack overflow', () => {
    const ev = build({
      flags: [boolFlag('a', { fallthrough: { variation: 1 } }), boolFlag('b', { fallthrough: { variation: 1 } })],
    });
    ev.setFlag(boolFlag('a', { fallthrough: { variation: 1 }, prerequisites: [{ key: 'b', variation: 1 }] }));
    ev.setFlag(boolFlag('b', { fallthrough: { variation: 1 }, prerequisites: [{ key: 'a', variation: 1 }] }));
    assert.deepEqual(ev.evaluate('a', {}).reason, { kind: 'ERROR', errorKind: 'MALFORMED_FLAG' });
  });

  test('a context that throws when read gives an EXCEPTION result instead of throwing', () => {
    const ev = build({
      flags: [
        boolFlag('f', {
          rules: [{ id: 'r', clauses: [{ attribute: 'x', op: 'in', values: [1] }], serve: { variation: 1 } }],
        }),
      ],
    });
    const hostile = {
      get x() {
        throw new Error('boom');
      },
    };
    assert.deepEqual(ev.evaluate('f', hostile).reason, { kind: 'ERROR', errorKind: 'EXCEPTION' });
    const proxy = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    assert.equal(ev.evaluate('f', proxy).reason.kind, 'ERROR');
  });

  test('compiled reasons are shared and frozen, so callers cannot corrupt later results', () => {
    const ev = build({ flags: [boolFlag('f', { rules: [{ id: 'r', clauses: [], serve: { variation: 1 } }] })] });
    const a = ev.evaluate('f', { key: 'a' });
    assert.throws(() => {
      (a.reason as { kind: string }).kind = 'OFF';
    });
    assert.equal(ev.evaluate('f', { key: 'b' }).reason.kind, 'RULE_MATCH');
  });
});
