// The plain demo page: renders two flags and re-renders on change. Config from the query string.
import { createClient } from '../../src/index.js';

const q = new URLSearchParams(location.search);
const client = createClient({
  clientId: q.get('clientId') ?? '',
  baseUrl: q.get('base') ?? '',
  context: { key: q.get('user') ?? 'anonymous', country: q.get('country') ?? 'US' },
  ...(q.get('poll') ? { pollIntervalMs: Number(q.get('poll')) } : {}),
});
const changes: { keys: string[]; at: number }[] = [];
const show = (id: string, text: string) => {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
};
const render = () => {
  show('banner', String(client.variation('banner', false)));
  show('theme', client.variation('theme', 'none'));
  show('source', client.source);
};
render();
client.onChange((keys) => {
  changes.push({ keys, at: Date.now() });
  render();
});
client.on('ready', render);
Object.assign(window, { vexil: client, vexilChanges: changes });
