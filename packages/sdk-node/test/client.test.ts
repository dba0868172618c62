/**
 * The client's public API without a network: typed variation calls and their details, errors
 * as defaults with reasons, never throwing, allFlagsState, hooks, offline files, bad options.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  ConfigurationError,
  type Context,
  type EvaluationHook,
  FileError,
  init,
  type Logger,
  silentLogger,
  type VexilOptions,
} from '../src/index.js';

const flags = [
  {
    key: 'bool-flag',
    version: 3,
    kind: 'boolean',
    variations: [{ value: false }, { value: true }],
    on: true,
    offVariation: 0,
    fallthrough: { variation: 1 },
    rules: [{ id: 'nl', clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }], serve: { variation: 0 } }],
  },
  {
    key: 'str-flag',
    version: 4,
    kind: 'string',
    variations: [{ value: 'control', name: 'Control' }, { value: 'treatment' }],
    on: true,
    offVariation: 0,
    fallthrough: { variation: 1 },
    clientVisible: true,
  },
  {
    key: 'num-flag',
    version: 5,
    kind: 'number',
    variations: [{ value: 0 }, { value: 42.5 }],
    on: true,
    offVariation: 0,
    fallthrough: { variation: 1 },
  },
  {
    key: 'json-flag',
    version: 6,
    kind: 'json',
    variations: [{ value: { limit: 10, tiers: ['a', 'b'] } }, { value: null }],
    on: true,
    offVariation: 1,
    fallthrough: { variation: 0 },
  },
  {
    key: 'off-no-variation',
    version: 7,
    kind: 'boolean',
    variations: [{ value: false }, { value: true }],
    on: false,
    fallthrough: { variation: 1 },
  },
  {
    key: 'experiment',
    version: 8,
    kind: 'boolean',
    variations: [{ value: false }, { value: true }],
    on: true,
    offVariation: 0,
    fallthrough: {
      rollout: {
        experiment: true,
        variations: [
          { variation: 0, weight: 50_000 },
          { variation: 1, weight: 50_000 },
        ],
      },
    },
    clientVisible: true,
  },
];
const user: Context = { kind: 'user', key: 'u-1', country: 'US' };
const offline = (extra: VexilOptions = {}) =>
  init('', { mode: 'offline', offlineData: { flags }, logger: silentLogger, ...extra });

describe('variation calls', () => {
  const client = offline();
  after(() => client.close());

  test('typed values and details', () => {
    assert.equal(client.boolVariation('bool-flag', user, false), true);
    assert.equal(client.boolVariation('bool-flag', { ...user, country: 'NL' }, true), false);
    assert.equal(client.stringVariation('str-flag', user, 'x'), 'treatment');
    assert.equal(client.numberVariation('num-flag', user, 0), 42.5);
    assert.deepEqual(client.jsonVariation('json-flag', user, {}), { limit: 10, tiers: ['a', 'b'] });
    assert.deepEqual(client.boolVariationDetail('bool-flag', { ...user, country: 'NL' }, true), {
      value: false,
      variationIndex: 0,
      reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'nl' },
      version: 3,
      inExperiment: false,
    });
    assert.deepEqual(client.stringVariationDetail('str-flag', user, 'x'), {
      value: 'treatment',
      variationIndex: 1,
      reason: { kind: 'FALLTHROUGH' },
      version: 4,
      inExperiment: false,
    });
    assert.equal(client.numberVariationDetail('num-flag', user, 1).version, 5);
    assert.equal(client.jsonVariationDetail('json-flag', user, null).variationIndex, 0);
  });

  test('a served null is a value (JSON flags), not the default', () => {
    const ctx = { key: 'u-1' };
    const c = offline({ offlineData: { flags: flags.map((f) => (f.key === 'json-flag' ? { ...f, on: false } : f)) } });
    assert.deepEqual(c.jsonVariationDetail('json-flag', ctx, { fallback: true }), {
      value: null,
      variationIndex: 1,
      reason: { kind: 'OFF' },
      version: 6,
      inExperiment: false,
    });
  });

  test("a served value is core's shared result: no allocation per call", () => {
    const a = client.boolVariationDetail('bool-flag', user, false);
    const b = client.boolVariationDetail('bool-flag', { kind: 'user', key: 'u-2' }, false);
    assert.equal(a, b, 'the same frozen object');
    assert.ok(Object.isFrozen(a));
  });

  test("type mismatch: the caller's default, reason WRONG_TYPE", () => {
    assert.equal(client.stringVariation('bool-flag', user, 'fallback'), 'fallback');
    assert.deepEqual(client.numberVariationDetail('str-flag', user, -1), {
      value: -1,
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind: 'WRONG_TYPE' },
      version: 4,
      inExperiment: false,
    });
    assert.equal(client.boolVariation('json-flag', user, true), true);
    // jsonVariation accepts any kind.
    assert.equal(client.jsonVariation('str-flag', user, null), 'treatment');
  });

  test('unknown flag: FLAG_NOT_FOUND; no flags at all: CLIENT_NOT_READY (level 3)', () => {
    assert.deepEqual(client.boolVariationDetail('nope', user, true), {
      value: true,
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' },
      version: 0,
      inExperiment: false,
    });
    const empty = init('', { mode: 'offline', logger: silentLogger });
    assert.equal(empty.status().level, 3);
    assert.deepEqual(empty.stringVariationDetail('str-flag', user, 'd').reason, {
      kind: 'ERROR',
      errorKind: 'CLIENT_NOT_READY',
    });
  });

  test("off without an off variation: the caller's default with reason OFF", () => {
    assert.deepEqual(client.boolVariationDetail('off-no-variation', user, true), {
      value: true,
      variationIndex: null,
      reason: { kind: 'OFF' },
      version: 7,
      inExperiment: false,
    });
  });

  test('never throws: hostile contexts, odd arguments', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
        has() {
          throw new Error('boom');
        },
        ownKeys() {
          throw new Error('boom');
        },
        getOwnPropertyDescriptor() {
          throw new Error('boom');
        },
        getPrototypeOf() {
          throw new Error('boom');
        },
      },
    );
    for (const ctx of [hostile, null, undefined, 'str', 42, [], { kind: 'multi' }]) {
      for (const key of ['bool-flag', 'experiment', 'nope']) {
        const d = client.boolVariationDetail(key, ctx as Context, true);
        assert.equal(typeof d.value, 'boolean');
      }
      assert.doesNotThrow(() => client.allFlagsState(ctx as Context));
      assert.doesNotThrow(() => client.track('evt', ctx as Context, 1));
    }
    assert.equal(client.boolVariation(undefined as unknown as string, user, true), true);
  });

  test('waitForReady resolves at once in offline mode', async () => {
    const s = await client.waitForReady({ timeout: 10_000 });
    assert.equal(s.level, 2);
    assert.equal(s.state, 'offline');
    assert.equal(s.flagSource, 'file');
    assert.equal(client.ready, true);
  });
});

describe('allFlagsState', () => {
  const client = offline();
  after(() => client.close());

  test('all flags by default, in the /client/v1/evaluate format', () => {
    const state = client.allFlagsState(user);
    assert.equal(state.valid, true);
    assert.deepEqual(Object.keys(state.flags).sort(), flags.map((f) => f.key).sort());
    assert.deepEqual(state.flags['str-flag'], { value: 'treatment', variation: 1, version: 4 });
    assert.deepEqual(state.flags['off-no-variation'], { value: null, variation: null, version: 7 });
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state, 'serialisable as is');
  });

  test('clientSideOnly keeps client-visible flags; withReasons adds reasons; experiments are marked', () => {
    const state = client.allFlagsState(user, { clientSideOnly: true, withReasons: true });
    assert.deepEqual(Object.keys(state.flags).sort(), ['experiment', 'str-flag']);
    assert.deepEqual(state.flags['str-flag']?.reason, { kind: 'FALLTHROUGH' });
    assert.equal(state.flags.experiment?.inExperiment, true);
  });

  test('without flags: not valid', () => {
    assert.deepEqual(init('', { mode: 'offline', logger: silentLogger }).allFlagsState(user), {
      valid: false,
      flags: {},
    });
  });
});

describe('hooks', () => {
  test('before in order, after in reverse, with their own data and the detail; a throwing hook changes nothing', () => {
    const calls: string[] = [];
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const tracer: EvaluationHook = {
      name: 'tracer',
      before: (ctx, data) => {
        calls.push(`before tracer ${ctx.method} ${ctx.flagKey} ${JSON.stringify(data)}`);
        return { span: `span-${ctx.flagKey}` };
      },
      after: (_ctx, data, detail) => {
        calls.push(`after tracer ${data.span} ${detail.value}`);
      },
    };
    const broken: EvaluationHook = {
      name: 'broken',
      before: () => {
        throw new Error('before failed');
      },
      after: () => {
        throw new Error('after failed');
      },
    };
    const client = offline({ hooks: [tracer, broken], logger });
    const metrics: string[] = [];
    client.addHook({
      after: (ctx, _d, detail) => {
        metrics.push(`${ctx.flagKey}=${detail.reason.kind}`);
      },
    });
    assert.equal(client.boolVariation('bool-flag', user, false), true);
    assert.equal(client.stringVariationDetail('nope', user, 'd').value, 'd');
    assert.deepEqual(calls, [
      'before tracer boolVariation bool-flag {}',
      'after tracer span-bool-flag true',
      'before tracer stringVariationDetail nope {}',
      'after tracer span-nope d',
    ]);
    assert.deepEqual(metrics, ['bool-flag=FALLTHROUGH', 'nope=ERROR']);
    assert.equal(warnings.filter((w) => w.includes('hook broken failed')).length, 4);
  });
});

describe('offline files and options', () => {
  test('offline mode from a file in the server format (objects by key)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vexil-offline-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'flags.json');
    await writeFile(
      file,
      JSON.stringify({
        environmentId: 'e',
        seq: 9,
        flags: Object.fromEntries(flags.map((f) => [f.key, f])),
        segments: {},
      }),
    );
    const client = init('', { mode: 'offline', offlineFile: file, logger: silentLogger });
    assert.equal(client.stringVariation('str-flag', user, 'x'), 'treatment');
    assert.deepEqual(
      { ...client.status(), since: 0 },
      {
        level: 2,
        state: 'offline',
        flagSource: 'file',
        flagCount: flags.length,
        since: 0,
        lastDataAt: undefined,
        lastError: undefined,
      },
    );
    assert.deepEqual(client.connectionStats(), {
      streamConnections: 0,
      pollRequests: 0,
      polling: false,
      streaming: false,
    });

    const missing = init('', { mode: 'offline', offlineFile: join(dir, 'nope.json'), logger: silentLogger });
    assert.ok(missing.status().lastError instanceof FileError);
    assert.equal(missing.status().level, 3);
    await writeFile(join(dir, 'bad.json'), '{"flags": ');
    const bad = init('', { mode: 'offline', offlineFile: join(dir, 'bad.json'), logger: silentLogger });
    assert.match(String(bad.status().lastError?.message), /not JSON/);
  });

  test('watchOfflineFile: a rewritten or replaced file updates the flags and tells listeners; a broken one is reported and ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vexil-watch-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'flags.json');
    const withStr = (variation: number) =>
      JSON.stringify({
        flags: flags.map((f) => (f.key === 'str-flag' ? { ...f, fallthrough: { variation } } : f)),
        segments: [],
      });
    await writeFile(file, withStr(1));
    const client = init('', { mode: 'offline', offlineFile: file, watchOfflineFile: true, logger: silentLogger });
    after(() => client.close());
    const first = client.stringVariation('str-flag', user, 'x');
    const changes: string[] = [];
    client.onFlagChange('str-flag', (c) => changes.push(c.key));
    const until = async (cond: () => boolean, what: string) => {
      for (let i = 0; i < 150 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(cond(), what);
    };

    await writeFile(file, withStr(0)); // rewritten in place
    await until(() => client.stringVariation('str-flag', user, 'x') !== first, 'the rewrite is served');
    await until(() => changes.length === 1, 'one change reported');
    await writeFile(join(dir, 'next.json'), withStr(1));
    await rename(join(dir, 'next.json'), file); // replaced, as deploy tools do
    await until(() => client.stringVariation('str-flag', user, 'x') === first, 'the replacement is served');
    await until(() => changes.length === 2, 'a second change reported');

    await writeFile(file, '{"flags": [');
    await until(() => /not JSON/.test(String(client.status().lastError?.message)), 'the broken file is reported');
    assert.equal(client.stringVariation('str-flag', user, 'x'), first, 'the flags stay as they were');
    await client.close();
    await writeFile(file, withStr(0));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(client.stringVariation('str-flag', user, 'x'), first, 'a closed client stops watching');
  });

  test('options that cannot work: state failed, level 3, a ConfigurationError; nothing thrown', async () => {
    const noKey = init('', { logger: silentLogger });
    assert.equal(noKey.status().state, 'failed');
    assert.equal(noKey.status().level, 3);
    assert.ok(noKey.status().lastError instanceof ConfigurationError);
    assert.equal(noKey.boolVariation('x', user, true), true);
    assert.equal((await noKey.waitForReady({ timeout: 5000 })).state, 'failed', 'resolves at once');
    const badUrl = init('vxs_x', { baseUrl: 'not a url', logger: silentLogger });
    assert.match(String(badUrl.status().lastError?.message), /baseUrl is not a URL/);
    const badMode = init('vxs_x', { mode: 'carrier-pigeon' as 'offline', logger: silentLogger });
    assert.match(String(badMode.status().lastError?.message), /unknown mode/);
    await Promise.all([noKey.close(), badUrl.close(), badMode.close()]);
    assert.equal(noKey.status().state, 'closed');
  });
});
