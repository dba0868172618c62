import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { murmur3, vexilBucket } from '../src/index.js';

describe('murmur3', () => {
  test('matches published MurmurHash3_x86_32 values', () => {
    assert.equal(murmur3('', '', 0), 0);
    assert.equal(murmur3('', '', 1), 0x514e28b7);
    assert.equal(murmur3('', 'hello', 0), 613153351);
    assert.equal(murmur3('', 'The quick brown fox jumps over the lazy dog', 0), 0x2e4ff723);
  });

  test('hashes the UTF-8 bytes of prefix + value, wherever the split falls', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'grapheme' }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (a, b, seed) => {
          assert.equal(murmur3(a, b, seed), murmur3('', a + b, seed));
        },
      ),
      { numRuns: 2_000, seed: 1 },
    );
  });

  test('buckets fall in 0..99999', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const b = vexilBucket('salt.', s);
        assert.ok(Number.isInteger(b) && b >= 0 && b < 100_000);
      }),
      { seed: 2 },
    );
  });
});
