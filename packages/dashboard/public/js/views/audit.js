/**
 * A project's audit log: who changed what, when and why, newest first, filtered by resource,
 * action, environment and time, a page at a time; each event expands to the fields it changed.
 */
import { api, seg } from '../api.js';
import { field, h, mount } from '../dom.js';
import { guard, main } from '../shell.js';

const PAGE = 20;
const RESOURCE_TYPES = ['', 'flag', 'segment', 'environment', 'project', 'sdk_key', 'token', 'user'];

/** The top-level fields whose values differ between `before` and `after`. */
export function changedFields(before, after) {
  const b = before && typeof before === 'object' ? before : {};
  const a = after && typeof after === 'object' ? after : {};
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ field: k, before: b[k], after: a[k] }));
}

const shown = (v) => (v === undefined ? '—' : JSON.stringify(v, null, 1));

function eventItem(e) {
  const changes = changedFields(e.before, e.after);
  return h(
    'li',
    { 'data-event': e.id },
    h('time', { datetime: e.at }, new Date(e.at).toLocaleString()),
    ' ',
    h('strong', {}, e.actor?.name ?? e.actor?.id ?? 'unknown'),
    ' ',
    h('code', {}, e.action),
    ' ',
    h('code', {}, `${e.resource.type} ${e.resource.key}`),
    e.environment ? ` in ${e.environment}` : '',
    e.comment ? h('p', { class: 'muted' }, `“${e.comment}”`) : null,
    changes.length
      ? h(
          'details',
          {},
          h('summary', {}, `${changes.length} field${changes.length === 1 ? '' : 's'} changed`),
          h(
            'table',
            { class: 'keys diff' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Before'), h('th', {}, 'After'))),
            h(
              'tbody',
              {},
              changes.map((c) =>
                h(
                  'tr',
                  {},
                  h('td', {}, h('code', {}, c.field)),
                  h('td', {}, h('pre', { class: 'json' }, shown(c.before))),
                  h('td', {}, h('pre', { class: 'json' }, shown(c.after))),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

export async function renderAudit(projectKey) {
  const p = `/projects/${seg(projectKey)}`;
  const envs = await guard(() => api('GET', `${p}/environments`));
  if (!envs) return;
  const type = h(
    'select',
    {},
    RESOURCE_TYPES.map((t) => h('option', { value: t }, t || 'any')),
  );
  const key = h('input', { placeholder: 'e.g. new-checkout' });
  const action = h('input', { placeholder: 'flag.update, or flag. for all flag actions' });
  const environment = h(
    'select',
    {},
    h('option', { value: '' }, 'any'),
    envs.items.map((e) => h('option', { value: e.key }, e.name)),
  );
  const from = h('input', { type: 'date' });
  const list = h('ol', { class: 'list audit' });
  const more = h('div', {});
  const filters = h(
    'form',
    { class: 'inline-form filters', 'aria-label': 'Audit filters' },
    field('Resource type', type),
    field('Resource key', key),
    field('Action', action),
    field('Environment', environment),
    field('Since', from),
    h('button', { type: 'submit' }, 'Show events'),
  );

  const query = (cursor) => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (type.value) q.set('resourceType', type.value);
    if (key.value.trim()) q.set('resourceKey', key.value.trim());
    if (action.value.trim()) q.set('action', action.value.trim());
    if (environment.value) q.set('environment', environment.value);
    if (from.value) q.set('from', new Date(`${from.value}T00:00:00`).toISOString());
    if (cursor) q.set('cursor', cursor);
    return `${p}/audit?${q}`;
  };
  const load = async (cursor) => {
    const page = await guard(() => api('GET', query(cursor)));
    if (!page) return;
    if (!cursor) mount(list);
    list.append(...page.items.map(eventItem));
    if (!cursor && page.items.length === 0) mount(list, h('li', {}, 'No events match.'));
    mount(
      more,
      page.nextCursor
        ? h('button', { type: 'button', onclick: () => load(page.nextCursor) }, 'Load more events')
        : null,
    );
  };
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  mount(
    main,
    h('p', {}, h('a', { href: `#/p/${seg(projectKey)}` }, `← ${projectKey}`)),
    h('h1', {}, `Audit log of ${projectKey}`),
    filters,
    list,
    more,
  );
  await load();
}
