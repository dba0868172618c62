/** The core client's size budget: under 6 KiB minified and gzipped (bench/browser-size/run.mjs compares peers). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs module shared with the size benchmark, without type declarations.
import { measure } from '../../../bench/browser-size/measure.mjs';

test('the core client bundles to under 6 KiB min+gzip, with no runtime dependency', async () => {
  const file = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const { minified, gzipped } = (await measure({ file, external: [] })) as { minified: number; gzipped: number };
  console.log(`# @vexil/browser core: ${minified} bytes minified, ${gzipped} bytes min+gzip`);
  assert.ok(gzipped < 6 * 1024, `${gzipped} bytes`);
  const pkg = (await import('../package.json', { with: { type: 'json' } })).default as Record<string, unknown>;
  assert.equal(pkg.dependencies, undefined, 'zero runtime dependencies');
});
