#!/usr/bin/env node
// Browser SDK sizes: @vexil/browser (core, React bindings, OpenFeature provider) beside
// LaunchDarkly's and Unleash's browser SDKs, each bundled and compressed the same way
// (measure.mjs). The peers are pinned devDependencies of packages/sdk-browser.
// Writes bench/results/browser-size-latest.json; exits 1 when the Vexil core is 6 KiB or more.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sdk = `${root}packages/sdk-browser`;
const require = createRequire(`${sdk}/package.json`);
const LIMIT = 6 * 1024;

const version = (name) => {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;
  }
};
const whole = (name) => ({ contents: `export * from '${name}';`, resolveDir: sdk });

const rows = [
  { sdk: '@vexil/browser (core client)', version: '0.1.0', entry: { file: `${sdk}/src/index.ts` } },
  {
    sdk: '@vexil/browser/react (bindings; react external)',
    version: '0.1.0',
    entry: { file: `${sdk}/src/react/index.ts`, external: ['react'] },
  },
  {
    sdk: '@vexil/browser/openfeature (provider; web-sdk external)',
    version: '0.1.0',
    entry: { file: `${sdk}/src/openfeature/index.ts`, external: ['@openfeature/web-sdk'] },
  },
  {
    sdk: 'launchdarkly-js-client-sdk',
    version: version('launchdarkly-js-client-sdk'),
    entry: whole('launchdarkly-js-client-sdk'),
  },
  {
    sdk: '@launchdarkly/js-client-sdk',
    version: version('@launchdarkly/js-client-sdk'),
    entry: whole('@launchdarkly/js-client-sdk'),
  },
  { sdk: 'unleash-proxy-client', version: version('unleash-proxy-client'), entry: whole('unleash-proxy-client') },
];

const results = [];
for (const row of rows) {
  const size = await measure(row.entry);
  results.push({ sdk: row.sdk, version: row.version, ...size });
}
const kb = (n) => `${(n / 1024).toFixed(2)} KiB`;
console.log('browser SDK sizes (esbuild --bundle --minify --format=esm, platform browser; gzip -9):\n');
console.log(`${'SDK'.padEnd(58)} ${'version'.padEnd(9)} ${'minified'.padStart(12)} ${'min+gzip'.padStart(12)}`);
for (const r of results)
  console.log(
    `${r.sdk.padEnd(58)} ${r.version.padEnd(9)} ${kb(r.minified).padStart(12)} ${kb(r.gzipped).padStart(12)}`,
  );
writeFileSync(
  `${root}bench/results/browser-size-latest.json`,
  `${JSON.stringify({ measuredAt: new Date().toISOString(), method: 'esbuild bundle, minify, esm, browser; gzip level 9', limitBytes: LIMIT, results }, null, 2)}\n`,
);
const core = results[0];
if (core.gzipped >= LIMIT) {
  console.error(`\n@vexil/browser core is ${core.gzipped} bytes min+gzip: over the ${LIMIT}-byte budget`);
  process.exit(1);
}
console.log(`\n@vexil/browser core: ${core.gzipped} bytes min+gzip, under the ${LIMIT}-byte budget`);
