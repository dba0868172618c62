// The React demo's components, rendered on the server (renderToString) and hydrated in the page.
import { createElement as h } from 'react';
import type { VexilClient } from '../../src/index.js';
import { useFlag, VexilProvider } from '../../src/react/index.js';

/** Render counts per component, read by the test. */
export const renders = (): Record<string, number> => {
  const g = globalThis as unknown as { vexilRenders?: Record<string, number> };
  g.vexilRenders ??= { banner: 0, theme: 0 };
  return g.vexilRenders;
};

function Banner() {
  const on = useFlag('banner', false);
  renders().banner = (renders().banner ?? 0) + 1;
  return h('div', { id: 'banner' }, on ? 'true' : 'false');
}

function Theme() {
  const theme = useFlag('theme', 'none');
  renders().theme = (renders().theme ?? 0) + 1;
  return h('div', { id: 'theme' }, theme);
}

export function App({ client }: { client: VexilClient }) {
  return h(VexilProvider, { client }, h(Banner), h(Theme));
}
