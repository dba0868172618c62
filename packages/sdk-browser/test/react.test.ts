/** The React bindings rendered on the server (renderToString): bootstrap values, details, and a missing provider. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { createClient } from '../src/index.js';
import { useFlag, useFlagDetail, VexilProvider } from '../src/react/index.js';
import { flag } from './helpers.js';

const client = createClient({
  clientId: 'vxc_test',
  baseUrl: 'http://127.0.0.1:9',
  context: { key: 'alice' },
  offline: true,
  storage: null,
  bootstrap: { flags: { banner: flag(true), theme: { ...flag('dark', 1, 4), reason: { kind: 'FALLTHROUGH' } } } },
});

function Detail() {
  const d = useFlagDetail('theme', 'light');
  const missing = useFlagDetail('nope', 0);
  return h(
    'p',
    null,
    `${d.value}/${d.variationIndex}/${d.version}/${d.reason?.kind}|${missing.value}/${missing.reason?.errorKind}`,
  );
}
function Banner() {
  return h('b', null, String(useFlag('banner', false)));
}

test('hooks render the bootstrap values on the server, with details and defaults', () => {
  const html = renderToString(h(VexilProvider, { client }, h(Banner), h(Detail)));
  assert.equal(html, '<b>true</b><p>dark/1/4/FALLTHROUGH|0/FLAG_NOT_FOUND</p>');
});

test('a hook without a provider says what is missing', () => {
  assert.throws(() => renderToString(h(Banner)), /VexilProvider/);
});
