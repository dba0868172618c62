// Runs every case of the Unleash client specification through the Unleash → Vexil translator and
// Vexil evaluation. The specification lives beside the repository (/work/shared/conformance/…); in
// CI it is checked out beside the clone, read-only. Without it the suite is skipped, saying why.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEvaluator } from '../src/index.js';
import {
  applyUnleashDeltas,
  isEnabled,
  toUnleashVariant,
  translateUnleashState,
  type UnleashContext,
  type UnleashDeltaEvent,
  type UnleashState,
  unleashContextToVexil,
} from '../src/unleash/index.js';

const SPEC_DIR = new URL(
  '../../../../shared/conformance/unleash-client-specification/specifications/',
  import.meta.url,
);

interface SpecCase {
  description: string;
  context: UnleashContext;
  toggleName: string;
  expectedResult: unknown;
}

interface SpecFile {
  name: string;
  state: UnleashState | { events: UnleashDeltaEvent[] };
  tests?: SpecCase[];
  variantTests?: SpecCase[];
}

const readJson = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, SPEC_DIR), 'utf8')) as T;

if (!existsSync(new URL('index.json', SPEC_DIR))) {
  test('Unleash client specification', {
    skip: `not found at ${fileURLToPath(SPEC_DIR)} (it is expected beside the repository)`,
  }, () => {});
} else {
  const files = readJson<string[]>('index.json');
  let assertions = 0;

  for (const file of files) {
    const spec = readJson<SpecFile>(file);
    const state = 'events' in spec.state ? applyUnleashDeltas(spec.state.events) : spec.state;
    const translation = translateUnleashState(state);
    const compiled = createEvaluator({ flags: translation.flags, segments: translation.segments });

    test(`${file} › translation compiles`, () => {
      assert.ok(
        compiled.ok,
        `createEvaluator refused the translation: ${JSON.stringify(compiled.ok ? [] : compiled.issues, null, 2)}`,
      );
    });

    const run = (c: SpecCase, read: typeof isEnabled | typeof toUnleashVariant) => {
      assertions++;
      test(`${file} › ${c.description}`, () => {
        assert.ok(compiled.ok, 'translation does not compile');
        const context = unleashContextToVexil(c.context);
        const result = compiled.evaluator.evaluate(c.toggleName, context);
        assert.deepEqual(
          read(result),
          c.expectedResult,
          `${c.description}\ncontext: ${JSON.stringify(context)}\nresult: ${JSON.stringify(result)}`,
        );
      });
    };
    for (const c of spec.tests ?? []) run(c, isEnabled);
    for (const c of spec.variantTests ?? []) run(c, toUnleashVariant);
  }

  test('Unleash client specification › all 279 assertions are present', () => {
    assert.equal(assertions, 279);
  });
}
