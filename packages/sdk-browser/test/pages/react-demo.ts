// The React demo's browser entry: hydrates the server-rendered markup with the bootstrap values.
import { createElement as h } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { createClient, type FlagValues } from '../../src/index.js';
import { App } from './react-app.js';

const q = new URLSearchParams(location.search);
const boot = (window as unknown as { vexilBootstrap?: FlagValues }).vexilBootstrap;
const client = createClient({
  clientId: q.get('clientId') ?? '',
  baseUrl: q.get('base') ?? '',
  context: { key: q.get('user') ?? 'anonymous', country: q.get('country') ?? 'US' },
  ...(boot ? { bootstrap: boot } : {}),
});
const root = document.getElementById('root');
if (root) hydrateRoot(root, h(App, { client }));
Object.assign(window, { vexil: client });
