// Unit tests of the Unleash → Vexil translator. Unleash's own formulas are computed here with an
// independent MurmurHash3 (over TextEncoder bytes, checked against published vectors and against
// values from the Unleash client specification), not with the core's hash.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEvaluator, type Flag } from '../src/index.js';
import {
  applyUnleashDeltas,
  isEnabled,
  toUnleashVariant,
  translateUnleashState,
  type UnleashContext,
  type UnleashFeature,
  type UnleashState,
  unleashContextToVexil,
} from '../src/unleash/index.js';

function murmur3(text: string, seed: number): number {
  const bytes = new TextEncoder().encode(text);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length - (bytes.length % 4);
  for (let i = 0; i < blocks; i += 4) {
    let k = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= (bytes[blocks + 2] ?? 0) << 16;
    if (rest >= 2) k ^= (bytes[blocks + 1] ?? 0) << 8;
    k ^= bytes[blocks] ?? 0;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Unleash's normalizedStrategyValue: 1..100. */
const percentile = (group: string, id: string) => (murmur3(`${group}:${id}`, 0) % 100) + 1;
/** Unleash's variant choice: the first variant whose running weight total reaches the target. */
function unleashVariant(group: string, id: string, variants: { name: string; weight: number }[]): string {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  const target = (murmur3(`${group}:${id}`, 86028157) % total) + 1;
  let sum = 0;
  for (const v of variants) {
    sum += v.weight;
    if (sum >= target) return v.name;
  }
  throw new Error('unreachable');
}

function compile(state: UnleashState) {
  const t = translateUnleashState(state);
  const compiled = createEvaluator({ flags: t.flags, segments: t.segments });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues, null, 2));
  const evaluator = compiled.evaluator;
  return {
    ...t,
    evaluator,
    eval: (toggle: string, context: UnleashContext) => evaluator.evaluate(toggle, unleashContextToVexil(context)),
    enabled: (toggle: string, context: UnleashContext) =>
      isEnabled(evaluator.evaluate(toggle, unleashContextToVexil(context))),
    variant: (toggle: string, context: UnleashContext) =>
      toUnleashVariant(evaluator.evaluate(toggle, unleashContextToVexil(context))).name,
  };
}

const feature = (name: string, rest: Partial<UnleashFeature> = {}): UnleashFeature => ({
  name,
  enabled: true,
  strategies: [{ name: 'default' }],
  ...rest,
});

const ids = Array.from({ length: 1000 }, (_, i) => String(i));

describe('independent murmur3', () => {
  test('matches published MurmurHash3_x86_32 vectors', () => {
    assert.equal(murmur3('', 0), 0);
    assert.equal(murmur3('', 1), 0x514e28b7);
    assert.equal(murmur3('', 0xffffffff), 0x81f16f39);
    assert.equal(murmur3('\0\0\0\0', 0), 0x2362f9de);
    assert.equal(murmur3('aaaa', 0x9747b28c), 0x5a97808a);
    assert.equal(murmur3('Hello, world!', 0x9747b28c), 0x24884cba);
    assert.equal(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c), 0x2fa826cd);
  });

  test('matches the boundary values the Unleash specification pins', () => {
    assert.equal(percentile('Feature.flexibleRollout.10', '174'), 10);
    assert.equal(percentile('Feature.flexibleRollout.userId.55', '25'), 55);
    assert.equal(percentile('Feature.flexibleRollout.sessionId.42', '147'), 42);
  });
});

describe('rollouts keep every user in their Unleash bucket', () => {
  const percentages = [1, 10, 33, 50, 99];
  const state: UnleashState = {
    features: [
      ...percentages.map((p) =>
        feature(`flex-${p}`, {
          strategies: [
            { name: 'flexibleRollout', parameters: { rollout: String(p), stickiness: 'default', groupId: 'g' } },
          ],
        }),
      ),
      feature('custom-30', {
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: '30', stickiness: 'tenant', groupId: 'tg' } }],
      }),
      feature('gradual-user-40', { strategies: [{ name: 'gradualRolloutUserId', parameters: { percentage: '40' } }] }),
      feature('fraction', {
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50.5', groupId: 'fr' } }],
      }),
    ],
  };
  const t = compile(state);

  test('flexibleRollout, default stickiness, by userId', () => {
    for (const p of percentages) {
      for (const id of ids)
        assert.equal(t.enabled(`flex-${p}`, { userId: id }), percentile('g', id) <= p, `p=${p} userId=${id}`);
    }
  });

  test('flexibleRollout, default stickiness, by sessionId when there is no userId', () => {
    for (const id of ids) assert.equal(t.enabled('flex-33', { sessionId: id }), percentile('g', id) <= 33, id);
    // userId wins over sessionId.
    for (const id of ids.slice(0, 100)) {
      assert.equal(t.enabled('flex-33', { userId: id, sessionId: 'x' }), percentile('g', id) <= 33, id);
    }
  });

  test('flexibleRollout, custom stickiness: bucketed by the property, false without it', () => {
    for (const id of ids)
      assert.equal(t.enabled('custom-30', { properties: { tenant: id } }), percentile('tg', id) <= 30, id);
    assert.equal(t.enabled('custom-30', { userId: '1' }), false);
  });

  test('gradualRolloutUserId without groupId hashes the empty group, as Unleash does', () => {
    for (const id of ids) assert.equal(t.enabled('gradual-user-40', { userId: id }), percentile('', id) <= 40, id);
    assert.equal(t.enabled('gradual-user-40', { sessionId: '1' }), false);
  });

  test('a fractional percentage compares as Unleash compares it', () => {
    for (const id of ids) assert.equal(t.enabled('fraction', { userId: id }), percentile('fr', id) <= 50.5, id);
  });

  test('contexts with neither userId nor sessionId are not enabled below 100% (documented deviation)', () => {
    assert.equal(t.enabled('flex-99', {}), false);
    assert.equal(t.enabled('flex-99', { remoteAddress: '10.0.0.1' }), false);
  });
});

describe('variants', () => {
  const weights = [
    { name: 'a', weight: 1 },
    { name: 'b', weight: 49 },
    { name: 'c', weight: 50 },
  ];
  const t = compile({
    features: [
      feature('feature-variants', {
        strategies: [],
        variants: weights.map((w) => ({ ...w, payload: { type: 'string', value: w.name } })),
      }),
      feature('strategy-variants', {
        strategies: [
          {
            name: 'flexibleRollout',
            parameters: { rollout: '100', stickiness: 'org', groupId: 'grp' },
            variants: [
              { name: 'x', weight: 300 },
              { name: 'y', weight: 0 },
              { name: 'z', weight: 700, overrides: [{ contextName: 'userId', values: ['vip'] }] },
            ],
          },
        ],
        variants: [{ name: 'ignored', weight: 1 }],
      }),
    ],
  });

  test('feature variants: same variant as Unleash for every user, by userId then sessionId then remoteAddress', () => {
    for (const id of ids) {
      assert.equal(
        t.variant('feature-variants', { userId: id }),
        unleashVariant('feature-variants', id, weights),
        `userId ${id}`,
      );
      assert.equal(
        t.variant('feature-variants', { sessionId: id }),
        unleashVariant('feature-variants', id, weights),
        `sessionId ${id}`,
      );
    }
    assert.equal(
      t.variant('feature-variants', { remoteAddress: '10.1.2.3' }),
      unleashVariant('feature-variants', '10.1.2.3', weights),
    );
  });

  test('feature variants: payload and flags read the Unleash way', () => {
    const r = toUnleashVariant(t.eval('feature-variants', { userId: '7' }));
    const name = unleashVariant('feature-variants', '7', weights);
    assert.deepEqual(r, { name, payload: { type: 'string', value: name }, enabled: true, feature_enabled: true });
  });

  test('strategy variants: hashed with the groupId, stickiness inherited from the strategy, weight 0 never chosen', () => {
    const set = [
      { name: 'x', weight: 300 },
      { name: 'y', weight: 0 },
      { name: 'z', weight: 700 },
    ];
    for (const id of ids)
      assert.equal(t.variant('strategy-variants', { properties: { org: id } }), unleashVariant('grp', id, set), id);
  });

  test('a partial rollout with default stickiness and several strategy variants: gate and variant chains combined', () => {
    const set = [
      { name: 'p', weight: 20 },
      { name: 'q', weight: 30 },
      { name: 'r', weight: 50 },
    ];
    const r = compile({
      features: [
        feature('combo', {
          strategies: [
            {
              name: 'flexibleRollout',
              parameters: { rollout: '60', stickiness: 'default', groupId: 'combo-group' },
              variants: [
                ...set,
                { name: 'special', weight: 0, overrides: [{ contextName: 'plan', values: ['gold'] }] },
              ],
            },
          ],
        }),
      ],
    });
    const contexts: UnleashContext[] = [];
    for (const id of ids.slice(0, 300)) {
      contexts.push(
        { userId: id },
        { sessionId: id },
        { userId: id, sessionId: `s${id}` },
        { userId: id, properties: { plan: 'gold' } },
      );
    }
    for (const ctx of contexts) {
      const stickyId = ctx.userId ?? ctx.sessionId ?? '';
      const on = percentile('combo-group', stickyId) <= 60;
      const expected = !on
        ? 'disabled'
        : ctx.properties?.plan === 'gold'
          ? 'special'
          : unleashVariant('combo-group', stickyId, set);
      assert.equal(r.variant('combo', ctx), expected, JSON.stringify(ctx));
      assert.equal(r.enabled('combo', ctx), on, JSON.stringify(ctx));
    }
  });

  test('overrides come before the hash', () => {
    assert.equal(t.variant('strategy-variants', { userId: 'vip', properties: { org: '1' } }), 'z');
  });
});

describe('constraints', () => {
  const t = compile({
    features: [
      feature('num-eq-inverted', {
        strategies: [
          { name: 'default', constraints: [{ contextName: 'n', operator: 'NUM_EQ', value: '12', inverted: true }] },
        ],
      }),
      feature('unknown-op-inverted', {
        strategies: [
          { name: 'default', constraints: [{ contextName: 'n', operator: 'NOPE', value: '1', inverted: true }] },
        ],
      }),
      feature('bad-semver-inverted', {
        strategies: [
          { name: 'default', constraints: [{ contextName: 'v', operator: 'SEMVER_EQ', value: 'v1', inverted: true }] },
        ],
      }),
      feature('kind-field', {
        strategies: [{ name: 'default', constraints: [{ contextName: 'kind', operator: 'IN', values: ['admin'] }] }],
      }),
      feature('date', {
        strategies: [
          {
            name: 'default',
            constraints: [{ contextName: 'currentTime', operator: 'DATE_AFTER', value: '2030-01-01T00:00:00+02:00' }],
          },
        ],
      }),
    ],
  });

  test('an inverted NUM_EQ is two alternatives: not ≤ or not ≥', () => {
    const flag = t.flags.find((f) => f.key === 'num-eq-inverted') as Flag;
    assert.equal(flag.rules?.length, 2);
    assert.equal(t.enabled('num-eq-inverted', { properties: { n: '12.0' } }), false);
    assert.equal(t.enabled('num-eq-inverted', { properties: { n: '11' } }), true);
    assert.equal(t.enabled('num-eq-inverted', { properties: { n: '13' } }), true);
    assert.equal(t.enabled('num-eq-inverted', {}), true);
  });

  test('an unknown operator never holds, inverted or not; an unreadable operand never holds, then inversion applies', () => {
    assert.equal(t.enabled('unknown-op-inverted', { properties: { n: '1' } }), false);
    assert.equal(t.enabled('bad-semver-inverted', { properties: { v: '1.0.0' } }), true);
    assert.ok(t.warnings.some((w) => w.path === '/features/1/strategies/0/constraints/0/operator'));
    assert.ok(t.warnings.some((w) => w.path === '/features/2/strategies/0/constraints/0/value'));
  });

  test('a strategy whose constraints expand past 256 alternatives never matches, with a warning', () => {
    const constraints = Array.from({ length: 9 }, (_, i) => ({
      contextName: `n${i}`,
      operator: 'NUM_EQ',
      value: '1',
      inverted: true,
    }));
    const r = compile({ features: [feature('huge', { strategies: [{ name: 'default', constraints }] })] });
    assert.equal(r.flags[0]?.rules?.length, 1);
    assert.equal(r.enabled('huge', {}), false);
    assert.ok(r.warnings.some((w) => w.message.includes('more than 256 alternatives')));
  });

  test('a property named like a Vexil built-in (kind) is still a plain field', () => {
    assert.equal(t.enabled('kind-field', { properties: { kind: 'admin' } }), true);
    assert.equal(t.enabled('kind-field', { properties: { kind: 'user' } }), false);
  });

  test('dates: currentTime from the context, else now', () => {
    assert.equal(t.enabled('date', { currentTime: '2029-12-31T22:00:01Z' }), true);
    assert.equal(t.enabled('date', { currentTime: '2029-12-31T22:00:00Z' }), false);
    const r = t.evaluator.evaluate('date', unleashContextToVexil({}, new Date('2031-01-01T00:00:00Z')));
    assert.equal(isEnabled(r), true);
  });
});

describe('strategies', () => {
  const t = compile({
    features: [
      feature('ips', {
        strategies: [
          { name: 'remoteAddress', parameters: { IPs: '10.0.0.0/8, 2001:db8::/32, 192.168.1.1, nonsense' } },
        ],
      }),
      feature('custom', {
        strategies: [
          { name: 'myCustomStrategy', parameters: {} },
          { name: 'userWithId', parameters: { userIds: 'a, b' } },
        ],
      }),
    ],
  });

  test('remoteAddress: exact addresses and ranges; garbage dropped with a warning', () => {
    assert.equal(t.enabled('ips', { remoteAddress: '10.20.30.40' }), true);
    assert.equal(t.enabled('ips', { remoteAddress: '192.168.1.1' }), true);
    assert.equal(t.enabled('ips', { remoteAddress: '192.168.1.2' }), false);
    assert.equal(t.enabled('ips', { remoteAddress: '2001:db8::1' }), true);
    assert.equal(t.enabled('ips', {}), false);
    assert.equal(t.warnings.filter((w) => w.path === '/features/0/strategies/0/parameters/IPs').length, 1);
  });

  test('an unknown strategy never matches, the next one still can', () => {
    assert.equal(t.enabled('custom', { userId: 'b' }), true);
    assert.equal(t.enabled('custom', { userId: 'c' }), false);
    assert.ok(t.warnings.some((w) => w.path === '/features/1/strategies/0/name'));
  });
});

describe('dependencies', () => {
  const parentVariants = [
    { name: 'a', weight: 1 },
    { name: 'b', weight: 1 },
    { name: 'c', weight: 1 },
  ];
  const state: UnleashState = {
    features: [
      feature('parent', {
        strategies: [
          { name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'default', groupId: 'parent' } },
        ],
        variants: parentVariants,
      }),
      feature('needs-enabled', { dependencies: [{ feature: 'parent' }] }),
      feature('needs-a-or-b', { dependencies: [{ feature: 'parent', variants: ['a', 'b'] }] }),
      feature('needs-c', { dependencies: [{ feature: 'parent', variants: ['c'] }] }),
      feature('needs-disabled', { dependencies: [{ feature: 'parent', enabled: false }] }),
    ],
  };
  const t = compile(state);
  const parentOn = (id: string) => percentile('parent', id) <= 50;
  const parentVariant = (id: string) => unleashVariant('parent', id, parentVariants);

  test('every dependency kind agrees with Unleash for every user', () => {
    for (const id of ids) {
      const ctx = { userId: id };
      const on = parentOn(id);
      assert.equal(t.enabled('needs-enabled', ctx), on, `enabled ${id}`);
      assert.equal(t.enabled('needs-a-or-b', ctx), on && ['a', 'b'].includes(parentVariant(id)), `a or b ${id}`);
      assert.equal(t.enabled('needs-c', ctx), on && parentVariant(id) === 'c', `c ${id}`);
      assert.equal(t.enabled('needs-disabled', ctx), !on, `disabled ${id}`);
    }
  });

  test('a single satisfying variation is a plain prerequisite; the rest go through shared helper flags', () => {
    const byKey = new Map(t.flags.map((f) => [f.key, f]));
    assert.deepEqual(byKey.get('needs-c')?.prerequisites, [{ key: 'parent', variation: 4 }]);
    assert.deepEqual(byKey.get('needs-enabled')?.prerequisites, [{ key: 'parent:enabled', variation: 1 }]);
    assert.deepEqual(byKey.get('needs-a-or-b')?.prerequisites, [{ key: 'parent:serving-2-3', variation: 1 }]);
    assert.equal(byKey.get('needs-disabled')?.prerequisites?.length, 3);
    assert.equal(t.flags.filter((f) => f.key.startsWith('parent:not-serving-')).length, 3);
  });

  test('helpers follow later changes of the parent: turning it off enables "needs-disabled"', () => {
    const parent = t.flags.find((f) => f.key === 'parent') as Flag;
    const id = ids.find((i) => parentOn(i)) as string;
    assert.equal(t.enabled('needs-disabled', { userId: id }), false);
    assert.deepEqual(t.evaluator.setFlag({ ...parent, on: false }), []);
    assert.equal(t.enabled('needs-disabled', { userId: id }), true);
    assert.equal(t.enabled('needs-enabled', { userId: id }), false);
  });
});

describe('context', () => {
  test('top-level fields win over properties; empty strings and nulls are missing; key is the first id', () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    const ctx = unleashContextToVexil(
      {
        userId: '',
        sessionId: 's1',
        environment: 'prod',
        properties: { environment: 'dev', country: 'NO', gone: null, n: 3 },
      },
      now,
    );
    assert.deepEqual(ctx, {
      kind: 'user',
      key: 's1',
      sessionId: 's1',
      environment: 'prod',
      country: 'NO',
      n: '3',
      currentTime: '2026-01-02T03:04:05.000Z',
    });
  });

  test('fields Vexil reserves go under _unleash', () => {
    const ctx = unleashContextToVexil({
      properties: { key: 'k', kind: 'x' },
      currentTime: '2026-01-01T00:00:00+01:00',
    });
    assert.deepEqual(ctx, { kind: 'user', currentTime: '2025-12-31T23:00:00.000Z', _unleash: { key: 'k', kind: 'x' } });
  });
});

describe('delta API and robustness', () => {
  test('delta events give the state the full payload gives', () => {
    const state = applyUnleashDeltas([
      { type: 'hydration', features: [feature('a'), feature('b')], segments: [{ id: 1, constraints: [] }] },
      { type: 'feature-updated', feature: feature('b', { enabled: false }) },
      { type: 'feature-updated', feature: feature('c') },
      { type: 'feature-removed', featureName: 'a' },
      { type: 'segment-updated', segment: { id: 2, constraints: [] } },
      { type: 'segment-removed', segmentId: 1 },
    ]);
    assert.deepEqual(
      state.features.map((f) => [f.name, f.enabled]),
      [
        ['b', false],
        ['c', true],
      ],
    );
    assert.deepEqual(
      state.segments?.map((s) => s.id),
      [2],
    );
  });

  test('garbage in: warnings out, and what is translated still compiles', () => {
    const garbage = {
      features: [
        null,
        { name: 'has space', enabled: true, strategies: [] },
        { name: 'ok', enabled: true, strategies: [null, { name: 'flexibleRollout', parameters: { rollout: 'abc' } }] },
        {
          name: 'weird',
          enabled: true,
          strategies: [{ name: 'default', constraints: 'x', segments: [99] }],
          variants: [{ name: 'v', weight: -1 }],
        },
      ],
      segments: [{ id: 'a b', constraints: [] }, { constraints: [] }],
    } as unknown as UnleashState;
    const t = compile(garbage);
    assert.deepEqual(
      t.flags.map((f) => f.key),
      ['ok', 'weird'],
    );
    assert.ok(t.warnings.length >= 6, JSON.stringify(t.warnings, null, 2));
    assert.equal(t.enabled('ok', { userId: '1' }), false);
    assert.equal(t.enabled('weird', {}), false);
  });
});
