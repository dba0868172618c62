/**
 * Runs the language-neutral golden vectors in testdata/evaluation/ (format: testdata/README.md)
 * against @vexil/core: one test per evaluation case, named `<file> › <case>`, and one per
 * invalid snapshot.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type CreateEvaluatorResult, createEvaluator } from '../src/index.js';

const DIR = new URL('../../../testdata/evaluation/', import.meta.url);

interface EvaluationCase {
  name: string;
  flag: string;
  context: unknown;
  expect: {
    value: unknown;
    variationIndex: number | null;
    reason: Record<string, unknown>;
    version: number;
    inExperiment: boolean;
  };
}

interface InvalidSnapshot {
  name: string;
  snapshot: { flags: unknown[]; segments?: unknown[] };
  issues: { path: string; code: string }[];
}

interface VectorFile {
  name: string;
  description: string;
  flags?: unknown[];
  segments?: unknown[];
  cases?: EvaluationCase[];
  invalid?: InvalidSnapshot[];
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('golden vectors are present', () => {
  assert.ok(files.length > 0, `no vector files in ${DIR.pathname}`);
});

for (const file of files) {
  const doc = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as VectorFile;

  // Every case runs through both tiers of compiled code: the closures every host can run, and
  // the generated code hot flags get where the host allows it.
  for (const codegen of ['off', 'eager'] as const) {
    if (!doc.cases) break;
    let compiled: CreateEvaluatorResult | undefined;
    let thrown: unknown;
    try {
      compiled = createEvaluator({ flags: doc.flags ?? [], segments: doc.segments ?? [] }, { codegen });
    } catch (error) {
      thrown = error;
    }
    const tier = codegen === 'off' ? '' : ' [generated]';
    test(`${file} › snapshot is valid${tier}`, () => {
      assert.equal(thrown, undefined, `createEvaluator threw: ${String(thrown)}`);
      assert.ok(
        compiled?.ok,
        `snapshot rejected: ${JSON.stringify(compiled && !compiled.ok ? compiled.issues : null)}`,
      );
    });
    for (const c of doc.cases) {
      test(`${file} › ${c.name}${tier}`, () => {
        assert.ok(compiled?.ok, 'the file snapshot was rejected (see the "snapshot is valid" test)');
        const result = compiled.evaluator.evaluate(c.flag, c.context);
        assert.deepEqual(result, c.expect);
      });
    }
  }

  for (const inv of doc.invalid ?? []) {
    test(`${file} › ${inv.name}`, () => {
      const compiled = createEvaluator(inv.snapshot);
      assert.equal(compiled.ok, false, 'the snapshot was accepted');
      if (compiled.ok) return;
      const reported = compiled.issues.map(({ path, code }) => ({ path, code }));
      for (const expected of inv.issues) {
        assert.ok(
          reported.some((r) => r.path === expected.path && r.code === expected.code),
          `expected ${JSON.stringify(expected)} among ${JSON.stringify(reported)}`,
        );
      }
    });
  }
}
