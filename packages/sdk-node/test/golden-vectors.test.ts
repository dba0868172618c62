/**
 * Every vector in testdata/evaluation/ through the SDK's public API: each file's flags and
 * segments are loaded in offline mode, every case is evaluated with `variationDetail` (and with
 * the typed call matching its value), and every invalid snapshot must be reported with each
 * listed {path, code}, its flags then answering ERROR/MALFORMED_FLAG. Both tiers of compiled
 * code run (closures, and generated code for hot flags).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  type Context,
  type EvaluationDetail,
  InvalidDataError,
  init,
  type JsonValue,
  silentLogger,
} from '../src/index.js';

const DIR = new URL('../../../testdata/evaluation/', import.meta.url);

interface Case {
  name: string;
  flag: string;
  context: unknown;
  expect: {
    value: JsonValue;
    variationIndex: number | null;
    reason: Record<string, unknown>;
    version: number;
    inExperiment: boolean;
  };
}
interface VectorFile {
  name: string;
  flags?: unknown[];
  segments?: unknown[];
  cases?: Case[];
  invalid?: {
    name: string;
    snapshot: { flags: unknown[]; segments?: unknown[] };
    issues: { path: string; code: string }[];
  }[];
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
/** A default no vector serves, so that "the default was returned" is unambiguous. */
const DEFAULT = Object.freeze({ default: 'caller' }) as unknown as JsonValue;

/** The SDK's detail in the vectors' shape: when the default was returned, value is null. */
function asVector(d: EvaluationDetail<unknown>, def: unknown) {
  if (d.variationIndex === null) assert.equal(d.value, def, 'the caller default is returned when nothing is served');
  return {
    value: d.variationIndex === null ? null : d.value,
    variationIndex: d.variationIndex,
    reason: d.reason,
    version: d.version,
    inExperiment: d.inExperiment,
  };
}

let total = 0;
for (const file of files) {
  const doc = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as VectorFile;
  if (doc.cases) {
    describe(`vectors ${file}`, () => {
      for (const codegen of ['off', 'eager'] as const) {
        test(`${doc.cases?.length} cases through variationDetail (codegen ${codegen})`, async () => {
          const client = init('', {
            mode: 'offline',
            offlineData: { flags: doc.flags ?? [], segments: doc.segments ?? [] },
            logger: silentLogger,
            codegen,
          });
          const status = client.status();
          assert.equal(status.lastError, undefined, `snapshot refused: ${status.lastError?.message}`);
          assert.equal(status.level, 2);
          assert.equal(status.state, 'offline');
          const failures: string[] = [];
          for (const c of doc.cases ?? []) {
            const ctx = c.context as Context;
            try {
              const d = client.variationDetail(c.flag, ctx, DEFAULT);
              assert.deepEqual(Object.keys(d).sort(), ['inExperiment', 'reason', 'value', 'variationIndex', 'version']);
              assert.deepEqual(asVector(d, DEFAULT), c.expect);
              // The typed call for the value's type agrees, in both its forms.
              const v = c.expect.value;
              if (typeof v === 'boolean') {
                assert.deepEqual(asVector(client.boolVariationDetail(c.flag, ctx, !v), !v), c.expect);
                assert.equal(client.boolVariation(c.flag, ctx, !v), v);
              } else if (typeof v === 'string') {
                assert.deepEqual(asVector(client.stringVariationDetail(c.flag, ctx, '\u0000'), '\u0000'), c.expect);
                assert.equal(client.stringVariation(c.flag, ctx, '\u0000'), v);
              } else if (typeof v === 'number') {
                assert.deepEqual(asVector(client.numberVariationDetail(c.flag, ctx, Number.NaN), Number.NaN), c.expect);
                assert.equal(client.numberVariation(c.flag, ctx, Number.NaN), v);
              } else if (v !== null) {
                assert.deepEqual(client.jsonVariation(c.flag, ctx, DEFAULT), v);
              }
              total++;
            } catch (err) {
              failures.push(`${c.name}: ${(err as Error).message}`);
            }
          }
          await client.close();
          assert.deepEqual(failures, [], `${failures.length} of ${doc.cases?.length} cases failed`);
        });
      }
    });
  }
  if (doc.invalid) {
    describe(`vectors ${file}`, () => {
      test(`${doc.invalid?.length} invalid snapshots are reported with every listed issue`, async () => {
        const failures: string[] = [];
        for (const inv of doc.invalid ?? []) {
          const client = init('', { mode: 'offline', offlineData: inv.snapshot, logger: silentLogger });
          try {
            const err = client.status().lastError;
            assert.ok(err instanceof InvalidDataError, 'an InvalidDataError is reported');
            for (const want of inv.issues)
              assert.ok(
                err.issues.some((i) => i.path === want.path && i.code === want.code),
                `missing ${JSON.stringify(want)} in ${JSON.stringify(err.issues.map((i) => [i.path, i.code]))}`,
              );
            // Every flag a problem points into evaluates to the default, with MALFORMED_FLAG.
            for (const issue of err.issues) {
              const m = /^\/flags\/(\d+)/.exec(issue.path);
              const flag = m ? (inv.snapshot.flags[Number(m[1])] as { key?: unknown }) : undefined;
              if (typeof flag?.key !== 'string') continue;
              const d = client.variationDetail(flag.key, { key: 'u-1' }, DEFAULT);
              assert.equal(d.value, DEFAULT);
              assert.deepEqual(d.reason, { kind: 'ERROR', errorKind: 'MALFORMED_FLAG' }, `flag ${flag.key}`);
            }
            total++;
          } catch (err) {
            failures.push(`${inv.name}: ${(err as Error).message}`);
          } finally {
            await client.close();
          }
        }
        assert.deepEqual(failures, [], `${failures.length} of ${doc.invalid?.length} snapshots failed`);
      });
    });
  }
}

test('every vector was run', () => {
  // 1005 evaluation cases twice (two code tiers) + 85 invalid snapshots, per testdata/README.md.
  assert.ok(total >= 1005 * 2 + 85, `only ${total} vectors ran`);
});
