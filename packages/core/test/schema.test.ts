import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { checkSchema, flagSchema, segmentSchema } from '../src/index.js';
import { boolFlag, segment } from './fixtures.js';

// The published JSON Schema and the built-in checker are one definition; a standard validator
// must agree with the checker on what is structurally valid.
describe('the exported JSON Schema', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validateFlagJson = ajv.compile(JSON.parse(JSON.stringify(flagSchema)));
  const validateSegmentJson = ajv.compile(JSON.parse(JSON.stringify(segmentSchema)));

  test('is plain JSON and accepts valid documents', () => {
    assert.equal(validateFlagJson(boolFlag('a')), true);
    assert.equal(validateSegmentJson(segment('s', { included: [{ values: ['u'] }] })), true);
  });

  test('agrees with checkSchema on mutated documents', () => {
    const base = boolFlag('a', {
      rules: [{ id: 'r', clauses: [{ attribute: 'country', op: 'in', values: ['US'] }], serve: { variation: 1 } }],
      targets: [{ variation: 1, values: ['u1'] }],
    }) as unknown as Record<string, unknown>;
    const paths = [
      ['key'],
      ['version'],
      ['kind'],
      ['on'],
      ['variations'],
      ['fallthrough'],
      ['rules', 0, 'clauses', 0, 'op'],
      ['rules', 0, 'serve'],
      ['targets', 0, 'values'],
      ['extra'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 }), (path, value) => {
        const doc = structuredClone(base);
        let node = doc as Record<string | number, unknown>;
        for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
        node[path[path.length - 1] as string] = value;
        const ours = checkSchema(flagSchema, doc).length === 0;
        assert.equal(validateFlagJson(doc), ours, `${path.join('/')} = ${JSON.stringify(value)}`);
      }),
      { numRuns: 2_000, seed: 3 },
    );
  });
});
