#!/usr/bin/env node

// Regenerates the bucket-derived golden vectors in testdata/evaluation/:
//   rollouts-vexil.json, rollouts-unleash.json, percentage-clause.json,
//   bucketing-boundaries.json, experiments.json
//
//   node testdata/tools/bucket-vectors.mjs          # rewrite the files
//   node testdata/tools/bucket-vectors.mjs --check  # fail if a file would change
//
// Expected buckets are computed here from the formulas in packages/core/README.md
// ("Bucketing"), independently of @vexil/core: murmur3_x86_32 is this file's own
// implementation over UTF-8 bytes, cross-checked on every ASCII input against the npm
// package `murmurhash3js` (which hashes char codes, so it is only usable for ASCII).
// Nothing here imports @vexil/core.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import murmurhash3js from 'murmurhash3js';

const OUT = new URL('../evaluation/', import.meta.url);
const CHECK = process.argv.includes('--check');

// ---------------------------------------------------------------- murmur3_x86_32
function murmur3Bytes(bytes, seed) {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n - (n % 4);
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = n & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2] << 16;
    if (tail >= 2) k ^= bytes[blocks + 1] << 8;
    k ^= bytes[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();
const isAscii = (s) => [...s].every((ch) => ch.charCodeAt(0) < 0x80);

/** murmur3_x86_32 of the UTF-8 bytes of `text`. */
export function murmur3(text, seed) {
  const mine = murmur3Bytes(encoder.encode(text), seed);
  if (isAscii(text))
    assert.equal(mine, murmurhash3js.x86.hash32(text, seed), `murmur3 mismatch for ${JSON.stringify(text)}`);
  return mine;
}
// Published reference values.
assert.equal(murmur3('', 0), 0);
assert.equal(murmur3('', 1), 0x514e28b7);
assert.equal(murmur3('hello', 0), 0x248bfa47);
assert.equal(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c), 0x2fa826cd);
assert.equal(murmur3Bytes(encoder.encode('ü'), 0), murmurhash3js.x86.hash32('\xc3\xbc', 0)); // UTF-8 bytes as chars

// ---------------------------------------------------------------- bucketing (README "Bucketing")
/** The hashed text of a bucketing value: strings as-is, integers in decimal; anything else: none. */
function bucketText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return undefined;
}
/** vexil: floor(murmur3(utf8(seed + "." + value), 0) × 100000 / 2^32), in exact integer arithmetic. */
export function vexilBucket(seed, value) {
  return Number((BigInt(murmur3(`${seed}.${bucketText(value)}`, 0)) * 100000n) >> 32n);
}
/** unleash: (murmur3(group + ":" + value, seed) mod normalizer) + 1. */
export function unleashNormalized(group, value, normalizer, seed) {
  return (murmur3(`${group}:${bucketText(value)}`, seed) % normalizer) + 1;
}
const UNLEASH_VARIANT_SEED = 86028157;

/**
 * The variation a rollout serves for a bucketing value, or undefined when the value is
 * not bucketable (the caller then expects the rollout's first variation).
 */
function rolloutPick(rollout, defaultSeed, value) {
  if (bucketText(value) === undefined) return undefined;
  const seed = rollout.seed ?? defaultSeed;
  if ((rollout.hash ?? 'vexil') === 'vexil') {
    const bucket = vexilBucket(seed, value);
    let total = 0;
    for (const wv of rollout.variations) {
      total += wv.weight;
      if (total > bucket) return { variation: wv.variation, note: `bucket ${bucket}` };
    }
    throw new Error('weights do not cover the bucket');
  }
  const sum = rollout.variations.reduce((a, wv) => a + wv.weight, 0);
  const target = unleashNormalized(seed, value, sum, UNLEASH_VARIANT_SEED);
  let total = 0;
  for (const wv of rollout.variations) {
    total += wv.weight;
    if (total >= target) return { variation: wv.variation, note: `unleash target ${target}/${sum}` };
  }
  throw new Error('unreachable');
}
/** Whether a percentage clause holds for a bucketing value (before negate). */
function percentageHolds(percent, hash, seed, value) {
  if (bucketText(value) === undefined) return { holds: false, note: 'not bucketable' };
  if (hash === 'unleash') {
    const n = unleashNormalized(seed, value, 100, 0);
    return { holds: percent > 0 && n <= percent, note: `unleash ${n}` };
  }
  const bucket = vexilBucket(seed, value);
  return { holds: bucket < percent * 1000, note: `bucket ${bucket}` };
}

// ---------------------------------------------------------------- file helpers
const OFF = { kind: 'OFF' };
const T = { kind: 'TARGET_MATCH' };
const F = { kind: 'FALLTHROUGH' };
const R = (ruleIndex, ruleId) => ({ kind: 'RULE_MATCH', ruleIndex, ruleId });
const P = (prerequisiteKey) => ({ kind: 'PREREQUISITE_FAILED', prerequisiteKey });

function inline(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  const keys = Object.keys(v);
  return keys.length ? `{ ${keys.map((k) => `${JSON.stringify(k)}: ${inline(v[k])}`).join(', ')} }` : '{}';
}
function pretty(v, indent = '', width = 110) {
  const one = inline(v);
  if (v === null || typeof v !== 'object' || one.length + indent.length <= width) return one;
  const next = `${indent}  `;
  const items = Array.isArray(v)
    ? v.map((x) => `${next}${pretty(x, next, width)}`)
    : Object.keys(v).map((k) => `${next}${JSON.stringify(k)}: ${pretty(v[k], next, width)}`);
  if (items.length === 0) return Array.isArray(v) ? '[]' : '{}';
  return Array.isArray(v) ? `[\n${items.join(',\n')}\n${indent}]` : `{\n${items.join(',\n')}\n${indent}}`;
}

let failures = 0;
class VectorFile {
  constructor(name, description) {
    Object.assign(this, { name, description, flags: [], segments: [], cases: [] });
  }
  flag(f) {
    this.flags.push(f);
    return f;
  }
  segment(s) {
    this.segments.push(s);
    return s;
  }
  c(name, flagKey, context, vi, reason, inExperiment = false) {
    const flag = this.flags.find((f) => f.key === flagKey);
    assert.ok(flag, flagKey);
    assert.ok(!this.cases.some((x) => x.name === name), `duplicate case name ${name}`);
    const value = vi === null ? null : flag.variations[vi].value;
    assert.ok(vi === null || vi in flag.variations);
    this.cases.push({
      name,
      flag: flagKey,
      context,
      expect: { value, variationIndex: vi, reason, version: flag.version, inExperiment },
    });
  }
  write(file) {
    const doc = {
      name: this.name,
      description: this.description,
      flags: this.flags,
      segments: this.segments,
      cases: this.cases,
    };
    const text = `${pretty(doc)}\n`;
    const url = new URL(file, OUT);
    if (CHECK) {
      let old = '';
      try {
        old = readFileSync(url, 'utf8');
      } catch {}
      if (old !== text) {
        console.error(`${file}: out of date`);
        failures++;
      }
    } else writeFileSync(url, text);
    console.log(`${file}: ${this.cases.length} cases`);
  }
}

const salt = (flag) => flag.salt ?? flag.key;
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
/**
 * A rollout case: `value` is the bucketing attribute value (undefined: absent), `ctx` the context.
 * Expects the computed variation, or the rollout's first variation when not bucketable.
 */
function rolloutCase(v, flag, rollout, label, ctx, value, reason, { experiment = rollout.experiment === true } = {}) {
  const pick = rolloutPick(rollout, salt(flag), value);
  const vi = pick ? pick.variation : rollout.variations[0].variation;
  const why = pick ? pick.note : 'not bucketable: first variation of the rollout';
  v.c(`${flag.key}: ${label} (${why})`, flag.key, ctx, vi, reason, experiment && pick !== undefined);
}
const boolVars = [{ value: false }, { value: true }];
const abc = [{ value: 'a' }, { value: 'b' }, { value: 'c' }];
const multi = (kinds) => ({ kind: 'multi', ...kinds });

// ================================================================ rollouts-vexil.json
{
  const v = new VectorFile(
    'rollouts-vexil',
    'Rollouts with the default `vexil` hash: bucket = floor(murmur3_x86_32(utf8(seed + "." + value), 0) × 100000 / 2^32); the first variation whose running weight total exceeds the bucket is served. The seed is rollout.seed, else the flag salt, else the flag key. The value is the bucketBy attribute (default key) of the contextKind context (default user); integers are hashed as decimal text. A context without a string or integer value gets the rollout\'s first variation. Generated by testdata/tools/bucket-vectors.mjs; each case name shows the computed bucket.',
  );
  const roll = (variations, extra = {}) => ({ variations, ...extra });
  const fl = (key, rollout, extra = {}) =>
    v.flag({
      key,
      version: 100 + v.flags.length,
      kind: 'boolean',
      variations: boolVars,
      on: true,
      offVariation: 0,
      fallthrough: { rollout },
      ...extra,
    });

  const ab = fl(
    'ab-50-50',
    roll([
      { variation: 0, weight: 50000 },
      { variation: 1, weight: 50000 },
    ]),
  );
  for (let i = 1; i <= 12; i++)
    rolloutCase(v, ab, ab.fallthrough.rollout, `key "user-${i}"`, { kind: 'user', key: `user-${i}` }, `user-${i}`, F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'integer key 12345 hashes as "12345"', { key: 12345 }, 12345, F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'string key "12345"', { key: '12345' }, '12345', F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'integer key beyond 32 bits', { key: 12345678901 }, 12345678901, F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'negative integer key', { key: -7 }, -7, F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'empty string key is still a string', { key: '' }, '', F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'fractional key is not bucketable', { key: 2.5 }, 2.5, F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'boolean key is not bucketable', { key: true }, true, F);
  rolloutCase(v, ab, ab.fallthrough.rollout, 'context without key', { kind: 'user', country: 'US' }, undefined, F);
  rolloutCase(
    v,
    ab,
    ab.fallthrough.rollout,
    'organization context has no user key',
    { kind: 'organization', key: 'user-1' },
    undefined,
    F,
  );
  rolloutCase(
    v,
    ab,
    ab.fallthrough.rollout,
    'multi context buckets by the user key',
    multi({ user: { key: 'user-3' }, organization: { key: 'acme' } }),
    'user-3',
    F,
  );

  const salted = fl(
    'salted',
    roll([
      { variation: 0, weight: 50000 },
      { variation: 1, weight: 50000 },
    ]),
    { salt: 'checkout-2026' },
  );
  for (let i = 1; i <= 6; i++)
    rolloutCase(
      v,
      salted,
      salted.fallthrough.rollout,
      `flag salt "checkout-2026" is the seed, key "user-${i}"`,
      { key: `user-${i}` },
      `user-${i}`,
      F,
    );
  const seeded = fl(
    'rollout-seed',
    roll(
      [
        { variation: 0, weight: 50000 },
        { variation: 1, weight: 50000 },
      ],
      { seed: 'exp-seed' },
    ),
    { salt: 'not-this-salt' },
  );
  for (let i = 1; i <= 6; i++)
    rolloutCase(
      v,
      seeded,
      seeded.fallthrough.rollout,
      `rollout seed "exp-seed" beats the salt, key "user-${i}"`,
      { key: `user-${i}` },
      `user-${i}`,
      F,
    );

  const three = v.flag({
    key: 'three-way',
    version: 120,
    kind: 'string',
    variations: abc,
    on: true,
    offVariation: 0,
    fallthrough: {
      rollout: roll([
        { variation: 0, weight: 33333 },
        { variation: 1, weight: 33333 },
        { variation: 2, weight: 33334 },
      ]),
    },
  });
  for (let i = 1; i <= 12; i++)
    rolloutCase(v, three, three.fallthrough.rollout, `key "k${i}"`, { key: `k${i}` }, `k${i}`, F);
  const ooo = v.flag({
    key: 'out-of-order',
    version: 121,
    kind: 'string',
    variations: abc,
    on: true,
    offVariation: 0,
    fallthrough: {
      rollout: roll([
        { variation: 2, weight: 30000 },
        { variation: 0, weight: 70000 },
      ]),
    },
  });
  for (let i = 1; i <= 8; i++)
    rolloutCase(
      v,
      ooo,
      ooo.fallthrough.rollout,
      `variations listed out of index order, key "k${i}"`,
      { key: `k${i}` },
      `k${i}`,
      F,
    );
  rolloutCase(v, ooo, ooo.fallthrough.rollout, 'no key: first listed variation (index 2)', {}, undefined, F);
  const zero = v.flag({
    key: 'zero-weight-middle',
    version: 122,
    kind: 'string',
    variations: abc,
    on: true,
    offVariation: 0,
    fallthrough: {
      rollout: roll([
        { variation: 0, weight: 50000 },
        { variation: 1, weight: 0 },
        { variation: 2, weight: 50000 },
      ]),
    },
  });
  for (let i = 1; i <= 8; i++)
    rolloutCase(
      v,
      zero,
      zero.fallthrough.rollout,
      `zero-weight variation is never served, key "k${i}"`,
      { key: `k${i}` },
      `k${i}`,
      F,
    );

  const by = fl(
    'bucket-by-device',
    roll(
      [
        { variation: 1, weight: 50000 },
        { variation: 0, weight: 50000 },
      ],
      { bucketBy: 'deviceId' },
    ),
  );
  for (const d of ['dev-a', 'dev-b', 'dev-c', 'dev-d'])
    rolloutCase(v, by, by.fallthrough.rollout, `deviceId ${show(d)}`, { key: 'same-user', deviceId: d }, d, F);
  rolloutCase(v, by, by.fallthrough.rollout, 'deviceId integer 42', { key: 'same-user', deviceId: 42 }, 42, F);
  rolloutCase(
    v,
    by,
    by.fallthrough.rollout,
    'deviceId string "42" (same bucket as the integer)',
    { key: 'same-user', deviceId: '42' },
    '42',
    F,
  );
  rolloutCase(
    v,
    by,
    by.fallthrough.rollout,
    'deviceId missing (the key is not used)',
    { key: 'same-user' },
    undefined,
    F,
  );
  rolloutCase(v, by, by.fallthrough.rollout, 'deviceId null', { key: 'same-user', deviceId: null }, undefined, F);
  rolloutCase(v, by, by.fallthrough.rollout, 'deviceId fractional', { key: 'same-user', deviceId: 4.5 }, 4.5, F);
  rolloutCase(
    v,
    by,
    by.fallthrough.rollout,
    'deviceId object',
    { key: 'same-user', deviceId: { id: 'dev-a' } },
    { id: 'dev-a' },
    F,
  );
  rolloutCase(v, by, by.fallthrough.rollout, 'deviceId array', { key: 'same-user', deviceId: ['dev-a'] }, ['dev-a'], F);

  const ptr = fl(
    'bucket-by-pointer',
    roll(
      [
        { variation: 0, weight: 25000 },
        { variation: 1, weight: 75000 },
      ],
      { bucketBy: '/device/id' },
    ),
  );
  for (const d of ['dev-a', 'dev-b', 'dev-c', 'dev-e'])
    rolloutCase(
      v,
      ptr,
      ptr.fallthrough.rollout,
      `pointer /device/id = ${show(d)}`,
      { key: 'u', device: { id: d } },
      d,
      F,
    );
  rolloutCase(v, ptr, ptr.fallthrough.rollout, 'pointer target missing', { key: 'u', device: {} }, undefined, F);

  const org = fl(
    'org-rollout',
    roll(
      [
        { variation: 1, weight: 50000 },
        { variation: 0, weight: 50000 },
      ],
      { contextKind: 'organization' },
    ),
  );
  for (const o of ['acme', 'globex', 'initech', 'umbrella'])
    rolloutCase(
      v,
      org,
      org.fallthrough.rollout,
      `organization key ${show(o)} in a multi context`,
      multi({ user: { key: 'u-1' }, organization: { key: o } }),
      o,
      F,
    );
  rolloutCase(
    v,
    org,
    org.fallthrough.rollout,
    'single organization context',
    { kind: 'organization', key: 'acme' },
    'acme',
    F,
  );
  rolloutCase(
    v,
    org,
    org.fallthrough.rollout,
    'user-only context has no organization',
    { kind: 'user', key: 'acme' },
    undefined,
    F,
  );

  const uni = fl(
    'unicode-keys',
    roll([
      { variation: 0, weight: 50000 },
      { variation: 1, weight: 50000 },
    ]),
  );
  for (const k of ['üser-1', 'Zürich', 'Zu\u0308rich', '用户-1', '東京', '🚀', 'user-😀-2', 'é'])
    rolloutCase(v, uni, uni.fallthrough.rollout, `UTF-8 key ${show(k)}`, { key: k }, k, F);

  const rr = v.flag({
    key: 'rule-rollout',
    version: 140,
    kind: 'boolean',
    variations: boolVars,
    on: true,
    offVariation: 0,
    fallthrough: { variation: 0 },
    rules: [
      {
        id: 'us-split',
        clauses: [{ attribute: 'country', op: 'in', values: ['US'] }],
        serve: {
          rollout: roll([
            { variation: 0, weight: 20000 },
            { variation: 1, weight: 80000 },
          ]),
        },
      },
    ],
  });
  for (let i = 1; i <= 6; i++)
    rolloutCase(
      v,
      rr,
      rr.rules[0].serve.rollout,
      `rule rollout 20/80, key "user-${i}"`,
      { key: `user-${i}`, country: 'US' },
      `user-${i}`,
      R(0, 'us-split'),
    );
  v.c('rule-rollout: rule does not match', 'rule-rollout', { key: 'user-1', country: 'FR' }, 0, F);
  v.write('rollouts-vexil.json');
}

// ================================================================ rollouts-unleash.json
{
  const v = new VectorFile(
    'rollouts-unleash',
    'Rollouts with hash "unleash" (Unleash variant assignment): target = (murmur3_x86_32(utf8(group + ":" + value), 86028157) mod total) + 1 where group is the seed (rollout.seed, else flag salt, else flag key) and total the sum of the weights (any positive total); the first variation whose running weight total is >= target is served. A context without a string or integer value gets the first variation. Generated by testdata/tools/bucket-vectors.mjs; each case name shows the computed target.',
  );
  const u = (key, variations, extra = {}, flagExtra = {}) =>
    v.flag({
      key,
      version: 200 + v.flags.length,
      kind: 'string',
      variations: abc,
      on: true,
      offVariation: 0,
      fallthrough: { rollout: { hash: 'unleash', variations, ...extra } },
      ...flagExtra,
    });
  const half = u('unleash-50-50', [
    { variation: 0, weight: 500 },
    { variation: 1, weight: 500 },
  ]);
  for (let i = 1; i <= 10; i++)
    rolloutCase(v, half, half.fallthrough.rollout, `key "user-${i}"`, { key: `user-${i}` }, `user-${i}`, F);
  rolloutCase(v, half, half.fallthrough.rollout, 'integer key 777', { key: 777 }, 777, F);
  rolloutCase(v, half, half.fallthrough.rollout, 'UTF-8 key "ünïcode"', { key: 'ünïcode' }, 'ünïcode', F);
  rolloutCase(v, half, half.fallthrough.rollout, 'UTF-8 key "用户"', { key: '用户' }, '用户', F);
  rolloutCase(v, half, half.fallthrough.rollout, 'no key', { kind: 'user' }, undefined, F);
  const uneven = u(
    'unleash-uneven',
    [
      { variation: 0, weight: 1 },
      { variation: 1, weight: 2 },
      { variation: 2, weight: 1 },
    ],
    {},
    { salt: 'imported-group' },
  );
  for (let i = 1; i <= 10; i++)
    rolloutCase(
      v,
      uneven,
      uneven.fallthrough.rollout,
      `weights 1/2/1, group = salt, key "user-${i}"`,
      { key: `user-${i}` },
      `user-${i}`,
      F,
    );
  const seeded = u(
    'unleash-seeded',
    [
      { variation: 2, weight: 333 },
      { variation: 0, weight: 333 },
      { variation: 1, weight: 334 },
    ],
    { seed: 'legacy-toggle' },
  );
  for (let i = 1; i <= 8; i++)
    rolloutCase(
      v,
      seeded,
      seeded.fallthrough.rollout,
      `group = rollout seed, key "user-${i}"`,
      { key: `user-${i}` },
      `user-${i}`,
      F,
    );
  rolloutCase(v, seeded, seeded.fallthrough.rollout, 'no key: first listed variation (index 2)', {}, undefined, F);
  const big = u(
    'unleash-100000',
    [
      { variation: 0, weight: 10000 },
      { variation: 1, weight: 90000 },
    ],
    { bucketBy: 'sessionId' },
  );
  for (let i = 1; i <= 6; i++)
    rolloutCase(
      v,
      big,
      big.fallthrough.rollout,
      `total 100000, bucketBy sessionId "s-${i}"`,
      { key: 'u', sessionId: `s-${i}` },
      `s-${i}`,
      F,
    );
  const org = u(
    'unleash-org',
    [
      { variation: 0, weight: 50 },
      { variation: 1, weight: 50 },
    ],
    { contextKind: 'organization' },
  );
  for (const o of ['acme', 'globex', 'initech'])
    rolloutCase(
      v,
      org,
      org.fallthrough.rollout,
      `organization ${show(o)}`,
      multi({ user: { key: 'u' }, organization: { key: o } }),
      o,
      F,
    );
  rolloutCase(v, org, org.fallthrough.rollout, 'no organization', { key: 'u' }, undefined, F);
  v.write('rollouts-unleash.json');
}

// ================================================================ percentage-clause.json
{
  const v = new VectorFile(
    'percentage-clause',
    'The `percentage` clause: values is one number p (0–100). vexil (default): holds when bucket < p × 1000 with the rollout bucket formula; unleash: holds when p > 0 and (murmur3_x86_32(utf8(group + ":" + value), 0) mod 100) + 1 <= p. The seed/group is clause.seed, else the salt of the flag or segment containing the clause, else its key. The value is `attribute` (default key) of `contextKind` (default user); a missing or non-string, non-integer value does not hold (negate inverts). Rule "r" serves true when the clause holds. Generated by testdata/tools/bucket-vectors.mjs; each case name shows the computed bucket.',
  );
  const fl = (key, clause, extra = {}) =>
    v.flag({
      key,
      version: 300 + v.flags.length,
      kind: 'boolean',
      variations: boolVars,
      on: true,
      offVariation: 0,
      fallthrough: { variation: 0 },
      rules: [{ id: 'r', clauses: [clause], serve: { variation: 1 } }],
      ...extra,
    });
  const pc = (flag, label, ctx, value, { clause = flag.rules[0].clauses[0], seed } = {}) => {
    const s = clause.seed ?? seed ?? salt(flag);
    const { holds, note } = percentageHolds(clause.values[0], clause.hash, s, value);
    const match = clause.negate ? !holds : holds;
    v.c(`${flag.key}: ${label} (${note})`, flag.key, ctx, match ? 1 : 0, match ? R(0, 'r') : F);
  };
  const p50 = fl('pct-50', { op: 'percentage', values: [50] });
  for (let i = 1; i <= 12; i++) pc(p50, `key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  pc(p50, 'integer key', { key: 4242 }, 4242);
  pc(p50, 'no key', { kind: 'user' }, undefined);
  pc(p50, 'boolean key', { key: false }, false);
  const p125 = fl('pct-12.5', { op: 'percentage', values: [12.5] });
  for (let i = 1; i <= 10; i++) pc(p125, `fractional percentage, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  const p0 = fl('pct-0', { op: 'percentage', values: [0] });
  for (let i = 1; i <= 3; i++) pc(p0, `0% never holds, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  const p100 = fl('pct-100', { op: 'percentage', values: [100] });
  for (let i = 1; i <= 3; i++) pc(p100, `100% always holds, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  pc(p100, '100% still needs a bucketable value', { kind: 'user' }, undefined);
  const pseed = fl('pct-seed', { op: 'percentage', values: [50], seed: 'clause-seed' }, { salt: 'flag-salt' });
  for (let i = 1; i <= 6; i++)
    pc(pseed, `clause seed beats the flag salt, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  const psalt = fl('pct-salt', { op: 'percentage', values: [50] }, { salt: 'flag-salt' });
  for (let i = 1; i <= 6; i++) pc(psalt, `flag salt is the seed, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  const pattr = fl('pct-attr', { attribute: 'deviceId', op: 'percentage', values: [40] });
  for (const d of ['dev-a', 'dev-b', 'dev-c', 'dev-d'])
    pc(pattr, `attribute deviceId ${show(d)}`, { key: 'same', deviceId: d }, d);
  pc(pattr, 'attribute deviceId integer', { key: 'same', deviceId: 99 }, 99);
  pc(pattr, 'attribute deviceId fractional', { key: 'same', deviceId: 9.5 }, 9.5);
  pc(pattr, 'attribute deviceId missing', { key: 'same' }, undefined);
  const porg = fl('pct-org', { contextKind: 'organization', op: 'percentage', values: [50] });
  for (const o of ['acme', 'globex', 'initech', 'umbrella'])
    pc(porg, `organization key ${show(o)}`, multi({ user: { key: 'u' }, organization: { key: o } }), o);
  pc(porg, 'no organization', { key: 'acme' }, undefined);
  const pneg = fl('pct-negate', { op: 'percentage', values: [30], negate: true });
  for (let i = 1; i <= 6; i++) pc(pneg, `negated, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  pc(pneg, 'negated, no key', { kind: 'user' }, undefined);
  const pu = fl('pct-unleash', { op: 'percentage', values: [50], hash: 'unleash' });
  for (let i = 1; i <= 10; i++) pc(pu, `unleash, group = flag key, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  pc(pu, 'unleash, UTF-8 key', { key: 'ünïcode' }, 'ünïcode');
  pc(pu, 'unleash, integer key', { key: 31337 }, 31337);
  const pu0 = fl('pct-unleash-0', { op: 'percentage', values: [0], hash: 'unleash' });
  for (let i = 1; i <= 3; i++) pc(pu0, `unleash 0% never holds, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  const pu100 = fl('pct-unleash-100', { op: 'percentage', values: [100], hash: 'unleash' });
  for (let i = 1; i <= 3; i++)
    pc(pu100, `unleash 100% always holds, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  const pus = fl(
    'pct-unleash-seed',
    { op: 'percentage', values: [25], hash: 'unleash', seed: 'my-toggle' },
    { salt: 'flag-salt' },
  );
  for (let i = 1; i <= 6; i++)
    pc(pus, `unleash, group = clause seed, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`);
  const puni = fl('pct-unicode', { op: 'percentage', values: [50] });
  for (const k of ['üser-1', '用户-2', '🚀', 'Zu\u0308rich']) pc(puni, `UTF-8 key ${show(k)}`, { key: k }, k);
  // two clauses in one rule, different seeds
  v.flag({
    key: 'pct-two-clauses',
    version: 390,
    kind: 'boolean',
    variations: boolVars,
    on: true,
    offVariation: 0,
    fallthrough: { variation: 0 },
    rules: [
      {
        id: 'r',
        clauses: [
          { op: 'percentage', values: [60], seed: 'a' },
          { op: 'percentage', values: [60], seed: 'b' },
        ],
        serve: { variation: 1 },
      },
    ],
  });
  for (let i = 1; i <= 8; i++) {
    const k = `user-${i}`;
    const a = percentageHolds(60, undefined, 'a', k);
    const b = percentageHolds(60, undefined, 'b', k);
    const match = a.holds && b.holds;
    v.c(
      `pct-two-clauses: both clauses must hold, key "${k}" (seed a: ${a.note}, seed b: ${b.note})`,
      'pct-two-clauses',
      { key: k },
      match ? 1 : 0,
      match ? R(0, 'r') : F,
    );
  }
  // percentage inside segments: the seed defaults to the segment salt, else the segment key
  v.segment({ key: 'canary', version: 1, rules: [{ id: 'pct', clauses: [{ op: 'percentage', values: [30] }] }] });
  v.segment({
    key: 'canary-salted',
    version: 2,
    salt: 'seg-salt',
    rules: [{ id: 'pct', clauses: [{ op: 'percentage', values: [30] }] }],
  });
  const inCanary = v.flag({
    key: 'in-canary',
    version: 391,
    salt: 'flag-salt-not-used',
    kind: 'boolean',
    variations: boolVars,
    on: true,
    offVariation: 0,
    fallthrough: { variation: 0 },
    rules: [{ id: 'r', clauses: [{ op: 'segmentMatch', values: ['canary'] }], serve: { variation: 1 } }],
  });
  const inCanarySalted = v.flag({
    key: 'in-canary-salted',
    version: 392,
    kind: 'boolean',
    variations: boolVars,
    on: true,
    offVariation: 0,
    fallthrough: { variation: 0 },
    rules: [{ id: 'r', clauses: [{ op: 'segmentMatch', values: ['canary-salted'] }], serve: { variation: 1 } }],
  });
  for (let i = 1; i <= 8; i++) {
    const k = `user-${i}`;
    const a = percentageHolds(30, undefined, 'canary', k);
    v.c(
      `in-canary: segment percentage seeded by the segment key, key "${k}" (${a.note})`,
      inCanary.key,
      { key: k },
      a.holds ? 1 : 0,
      a.holds ? R(0, 'r') : F,
    );
    const b = percentageHolds(30, undefined, 'seg-salt', k);
    v.c(
      `in-canary-salted: segment percentage seeded by the segment salt, key "${k}" (${b.note})`,
      inCanarySalted.key,
      { key: k },
      b.holds ? 1 : 0,
      b.holds ? R(0, 'r') : F,
    );
  }
  v.write('percentage-clause.json');
}

// ================================================================ bucketing-boundaries.json
{
  // Search keys "b-<n>" for exact buckets/targets under the seed "boundary".
  const SEED = 'boundary';
  const wantVexil = new Set([0, 9999, 10000, 12499, 12500, 33332, 33333, 49999, 50000, 66665, 66666, 99999]);
  const wantUnleashPct = new Set([1, 2, 50, 51, 100]);
  const wantUnleash1000 = new Set([1, 500, 501, 1000]);
  const wantUnleash4 = new Set([1, 2, 3, 4]);
  const foundVexil = new Map();
  const foundPct = new Map();
  const found1000 = new Map();
  const found4 = new Map();
  for (
    let i = 0;
    foundVexil.size < wantVexil.size ||
    foundPct.size < wantUnleashPct.size ||
    found1000.size < wantUnleash1000.size ||
    found4.size < wantUnleash4.size;
    i++
  ) {
    if (i > 20_000_000) throw new Error('search exhausted');
    const k = `b-${i}`;
    const b = vexilBucket(SEED, k);
    if (wantVexil.has(b) && !foundVexil.has(b)) foundVexil.set(b, k);
    if (foundPct.size < wantUnleashPct.size) {
      const n = unleashNormalized(SEED, k, 100, 0);
      if (wantUnleashPct.has(n) && !foundPct.has(n)) foundPct.set(n, k);
    }
    if (found1000.size < wantUnleash1000.size) {
      const n = unleashNormalized(SEED, k, 1000, UNLEASH_VARIANT_SEED);
      if (wantUnleash1000.has(n) && !found1000.has(n)) found1000.set(n, k);
    }
    if (found4.size < wantUnleash4.size) {
      const n = unleashNormalized(SEED, k, 4, UNLEASH_VARIANT_SEED);
      if (wantUnleash4.has(n) && !found4.has(n)) found4.set(n, k);
    }
  }
  const v = new VectorFile(
    'bucketing-boundaries',
    'Keys whose bucket lies exactly on a weight or percentage boundary, all hashed with the seed "boundary" (the flag key or salt). vexil: a rollout serves the first variation whose running total is strictly greater than the bucket, and a percentage clause holds when bucket < p × 1000, so bucket 49999 is in the first half and 50000 in the second. unleash: a percentage holds when normalized <= p, and a rollout serves the first variation whose running total is >= target. Generated by testdata/tools/bucket-vectors.mjs (key search); each case name shows the bucket.',
  );
  const fl = (key, fallthrough, extra = {}) =>
    v.flag({
      key,
      version: 400 + v.flags.length,
      kind: 'string',
      variations: abc,
      on: true,
      offVariation: 0,
      fallthrough,
      salt: SEED,
      ...extra,
    });
  const vexilCase = (flag, bucket, label) => {
    const k = foundVexil.get(bucket);
    assert.equal(vexilBucket(SEED, k), bucket);
    rolloutCase(v, flag, flag.fallthrough.rollout, `${label}, key ${show(k)}`, { key: k }, k, F);
  };
  const half = fl('boundary', {
    rollout: {
      variations: [
        { variation: 0, weight: 50000 },
        { variation: 1, weight: 50000 },
      ],
    },
  });
  delete half.salt; // the key is the seed
  for (const b of [0, 49999, 50000, 99999]) vexilCase(half, b, `50/50 at bucket ${b}`);
  const tenNinety = fl('boundary-10-90', {
    rollout: {
      variations: [
        { variation: 0, weight: 10000 },
        { variation: 1, weight: 90000 },
      ],
    },
  });
  for (const b of [9999, 10000]) vexilCase(tenNinety, b, `10/90 at bucket ${b}`);
  const thirds = fl('boundary-thirds', {
    rollout: {
      variations: [
        { variation: 0, weight: 33333 },
        { variation: 1, weight: 33333 },
        { variation: 2, weight: 33334 },
      ],
    },
  });
  for (const b of [0, 33332, 33333, 66665, 66666, 99999]) vexilCase(thirds, b, `thirds at bucket ${b}`);
  const full = fl('boundary-full-last', {
    rollout: {
      variations: [
        { variation: 0, weight: 0 },
        { variation: 2, weight: 100000 },
      ],
    },
  });
  for (const b of [0, 99999]) vexilCase(full, b, `0/100 at bucket ${b}`);
  // percentage clauses
  const pctFlag = (key, percent, hash) =>
    v.flag({
      key,
      version: 400 + v.flags.length,
      kind: 'boolean',
      variations: boolVars,
      on: true,
      offVariation: 0,
      fallthrough: { variation: 0 },
      salt: SEED,
      rules: [
        {
          id: 'r',
          clauses: [{ op: 'percentage', values: [percent], ...(hash ? { hash } : {}) }],
          serve: { variation: 1 },
        },
      ],
    });
  const pctCase = (flag, k, label) => {
    const clause = flag.rules[0].clauses[0];
    const { holds, note } = percentageHolds(clause.values[0], clause.hash, SEED, k);
    v.c(`${flag.key}: ${label}, key ${show(k)} (${note})`, flag.key, { key: k }, holds ? 1 : 0, holds ? R(0, 'r') : F);
  };
  const p50 = pctFlag('boundary-pct-50', 50);
  for (const b of [49999, 50000]) pctCase(p50, foundVexil.get(b), `50% at bucket ${b}`);
  const p125 = pctFlag('boundary-pct-12.5', 12.5);
  for (const b of [12499, 12500]) pctCase(p125, foundVexil.get(b), `12.5% at bucket ${b}`);
  const p100 = pctFlag('boundary-pct-100', 100);
  pctCase(p100, foundVexil.get(99999), '100% at bucket 99999');
  const p0 = pctFlag('boundary-pct-0', 0);
  pctCase(p0, foundVexil.get(0), '0% at bucket 0');
  const pu50 = pctFlag('boundary-unleash-pct-50', 50, 'unleash');
  for (const n of [50, 51]) pctCase(pu50, foundPct.get(n), `unleash 50% at normalized ${n}`);
  const pu1 = pctFlag('boundary-unleash-pct-1', 1, 'unleash');
  for (const n of [1, 2]) pctCase(pu1, foundPct.get(n), `unleash 1% at normalized ${n}`);
  const pu0 = pctFlag('boundary-unleash-pct-0', 0, 'unleash');
  pctCase(pu0, foundPct.get(1), 'unleash 0% at normalized 1');
  const pu99 = pctFlag('boundary-unleash-pct-99', 99, 'unleash');
  pctCase(pu99, foundPct.get(100), 'unleash 99% at normalized 100');
  // unleash rollouts
  const u1000 = fl('boundary-unleash-500-500', {
    rollout: {
      hash: 'unleash',
      variations: [
        { variation: 0, weight: 500 },
        { variation: 1, weight: 500 },
      ],
    },
  });
  for (const t of [1, 500, 501, 1000]) {
    const k = found1000.get(t);
    rolloutCase(v, u1000, u1000.fallthrough.rollout, `500/500 at target ${t}, key ${show(k)}`, { key: k }, k, F);
  }
  const u4 = fl('boundary-unleash-1-2-1', {
    rollout: {
      hash: 'unleash',
      variations: [
        { variation: 0, weight: 1 },
        { variation: 1, weight: 2 },
        { variation: 2, weight: 1 },
      ],
    },
  });
  for (const t of [1, 2, 3, 4]) {
    const k = found4.get(t);
    rolloutCase(v, u4, u4.fallthrough.rollout, `1/2/1 at target ${t}, key ${show(k)}`, { key: k }, k, F);
  }
  v.write('bucketing-boundaries.json');
}

// ================================================================ experiments.json
{
  const v = new VectorFile(
    'experiments',
    "inExperiment is true exactly when the served value came from a rollout with experiment: true that bucketed the context (it had a string or integer bucketing value). Off, targets, fixed-variation rules and fallthroughs, failed prerequisites, non-experiment rollouts and unbucketable contexts give false; a flag's result does not inherit inExperiment from its prerequisites. Generated by testdata/tools/bucket-vectors.mjs.",
  );
  const exp5050 = {
    variations: [
      { variation: 0, weight: 50000 },
      { variation: 1, weight: 50000 },
    ],
    experiment: true,
  };
  const fl = (key, extra) =>
    v.flag({
      key,
      version: 500 + v.flags.length,
      kind: 'boolean',
      variations: boolVars,
      on: true,
      offVariation: 0,
      fallthrough: { variation: 0 },
      ...extra,
    });
  const exp = fl('exp', {
    fallthrough: { rollout: exp5050 },
    targets: [{ variation: 1, values: ['vip'] }],
    rules: [{ id: 'staff', clauses: [{ attribute: 'staff', op: 'in', values: [true] }], serve: { variation: 1 } }],
  });
  for (let i = 1; i <= 8; i++)
    rolloutCase(v, exp, exp5050, `bucketed into the experiment, key "user-${i}"`, { key: `user-${i}` }, `user-${i}`, F);
  rolloutCase(v, exp, exp5050, 'no key: first variation, not in the experiment', { kind: 'user' }, undefined, F);
  v.c('exp: targeted context is not in the experiment', 'exp', { key: 'vip' }, 1, T, false);
  v.c(
    'exp: fixed-variation rule is not in the experiment',
    'exp',
    { key: 'user-1', staff: true },
    1,
    R(0, 'staff'),
    false,
  );
  const expOff = fl('exp-off', { on: false, fallthrough: { rollout: exp5050 } });
  v.c('exp-off: off flag is not in the experiment', expOff.key, { key: 'user-1' }, 0, OFF, false);
  const expRule = fl('exp-rule', {
    rules: [{ id: 'us', clauses: [{ attribute: 'country', op: 'in', values: ['US'] }], serve: { rollout: exp5050 } }],
  });
  for (let i = 1; i <= 4; i++)
    rolloutCase(
      v,
      expRule,
      exp5050,
      `rule rollout experiment, key "user-${i}"`,
      { key: `user-${i}`, country: 'US' },
      `user-${i}`,
      R(0, 'us'),
    );
  v.c(
    'exp-rule: fixed fallthrough is not in the experiment',
    expRule.key,
    { key: 'user-1', country: 'FR' },
    0,
    F,
    false,
  );
  const noExp = fl('exp-false', { fallthrough: { rollout: { ...exp5050, experiment: false } } });
  for (let i = 1; i <= 2; i++)
    rolloutCase(
      v,
      noExp,
      noExp.fallthrough.rollout,
      `experiment:false, key "user-${i}"`,
      { key: `user-${i}` },
      `user-${i}`,
      F,
    );
  const absent = fl('exp-absent', { fallthrough: { rollout: { variations: exp5050.variations } } });
  for (let i = 1; i <= 2; i++)
    rolloutCase(
      v,
      absent,
      absent.fallthrough.rollout,
      `no experiment property, key "user-${i}"`,
      { key: `user-${i}` },
      `user-${i}`,
      F,
    );
  const single = fl('exp-single', {
    fallthrough: { rollout: { variations: [{ variation: 1, weight: 100000 }], experiment: true } },
  });
  rolloutCase(
    v,
    single,
    single.fallthrough.rollout,
    'single-variation experiment still buckets',
    { key: 'user-1' },
    'user-1',
    F,
  );
  rolloutCase(v, single, single.fallthrough.rollout, 'single-variation experiment, no key', {}, undefined, F);
  const expOrg = fl('exp-org', { fallthrough: { rollout: { ...exp5050, contextKind: 'organization' } } });
  rolloutCase(
    v,
    expOrg,
    expOrg.fallthrough.rollout,
    'organization bucketed',
    multi({ user: { key: 'u' }, organization: { key: 'acme' } }),
    'acme',
    F,
  );
  rolloutCase(v, expOrg, expOrg.fallthrough.rollout, 'user without organization', { key: 'u' }, undefined, F);
  const expDev = fl('exp-device', { fallthrough: { rollout: { ...exp5050, bucketBy: 'deviceId' } } });
  rolloutCase(v, expDev, expDev.fallthrough.rollout, 'integer deviceId', { key: 'u', deviceId: 1001 }, 1001, F);
  rolloutCase(v, expDev, expDev.fallthrough.rollout, 'fractional deviceId', { key: 'u', deviceId: 10.01 }, 10.01, F);
  rolloutCase(v, expDev, expDev.fallthrough.rollout, 'boolean deviceId', { key: 'u', deviceId: true }, true, F);
  const expU = fl('exp-unleash', {
    fallthrough: {
      rollout: {
        hash: 'unleash',
        variations: [
          { variation: 0, weight: 50 },
          { variation: 1, weight: 50 },
        ],
        experiment: true,
      },
    },
  });
  for (let i = 1; i <= 3; i++)
    rolloutCase(
      v,
      expU,
      expU.fallthrough.rollout,
      `unleash experiment, key "user-${i}"`,
      { key: `user-${i}` },
      `user-${i}`,
      F,
    );
  // prerequisites: the child's own serve decides inExperiment
  const pickExp = (k) => rolloutPick(exp5050, 'exp', k).variation;
  const child = fl('exp-child', { fallthrough: { variation: 1 }, prerequisites: [{ key: 'exp', variation: 1 }] });
  for (let i = 1; i <= 6; i++) {
    const k = `user-${i}`;
    const met = pickExp(k) === 1;
    v.c(
      `exp-child: prerequisite is an experiment flag serving ${pickExp(k)}, key "${k}"`,
      child.key,
      { key: k },
      met ? 1 : 0,
      met ? F : P('exp'),
      false,
    );
  }
  const child2 = fl('exp-child-rollout', {
    fallthrough: { rollout: exp5050 },
    prerequisites: [{ key: 'exp', variation: 1 }],
  });
  for (let i = 1; i <= 6; i++) {
    const k = `user-${i}`;
    if (pickExp(k) === 1)
      rolloutCase(
        v,
        child2,
        exp5050,
        `prerequisite met, own experiment rollout (seed exp-child-rollout), key "${k}"`,
        { key: k },
        k,
        F,
      );
    else
      v.c(
        `exp-child-rollout: prerequisite failed, not in the experiment, key "${k}"`,
        child2.key,
        { key: k },
        0,
        P('exp'),
        false,
      );
  }
  v.write('experiments.json');
}

if (failures) process.exit(1);
