#!/usr/bin/env node
// Runs every package's tests (packages/*/test/**/*.test.ts) in one node:test run, TypeScript
// loaded through tsx. Arguments narrow the run to files whose path contains any of them.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.test\.(ts|tsx|mjs)$/.test(name)) yield path;
  }
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const testDir = join(root, 'packages', pkg, 'test');
  try {
    statSync(testDir);
  } catch {
    continue;
  }
  for (const f of walk(testDir)) {
    const rel = relative(root, f);
    if (filters.length === 0 || filters.some((x) => rel.includes(x))) files.push(rel);
  }
}
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
files.sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
