/**
 * The SDK credentials of one environment: server keys (secret: shown once, when created or
 * rotated, then only their hint) and client-side IDs (public), with create, rotate (optionally
 * keeping the old one working for a grace period) and revoke.
 */
import { api, seg } from './api.js';
import { h, mount } from './dom.js';

const GRACE = [
  ['0', 'at once'],
  ['3600', 'in 1 hour'],
  ['86400', 'in 24 hours'],
  ['604800', 'in 7 days'],
];

/** Shows a secret once, in a read-only field that selects itself for copying. */
function revealed(label, value) {
  const input = h('input', {
    readonly: true,
    value,
    'aria-label': label,
    class: 'secret',
    onfocus: (e) => e.target.select(),
  });
  return h(
    'div',
    { class: 'notice ok', role: 'status' },
    h('p', {}, `${label}: copy it now, it is not shown again.`),
    input,
    h(
      'button',
      { type: 'button', onclick: () => navigator.clipboard?.writeText(value).catch(() => input.select()) },
      'Copy',
    ),
  );
}

/**
 * Renders the panel into `root` for environment `env` of project `projectKey`. `guard` runs an
 * API call and reports its error; it resolves undefined on failure.
 */
export async function renderSdkKeys(root, { projectKey, env, guard }) {
  const base = `/projects/${seg(projectKey)}/environments/${seg(env.key)}/keys`;
  const shownOnce = h('div', {});
  const table = h('div', {}, 'Loading keys…');

  const load = async () => {
    const res = await guard(() => api('GET', base));
    if (!res) return;
    if (res.items.length === 0) return mount(table, h('p', {}, 'No active keys.'));
    mount(
      table,
      h(
        'table',
        { class: 'keys' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Kind'),
            h('th', {}, 'Key'),
            h('th', {}, 'Status'),
            h('th', {}, 'Created'),
            h('th', {}),
          ),
        ),
        h(
          'tbody',
          {},
          res.items.map((k) => {
            const grace = h(
              'select',
              { 'aria-label': `Old key stops working (${k.hint})` },
              GRACE.map(([v, text]) => h('option', { value: v }, text)),
            );
            return h(
              'tr',
              { 'data-key': k.id },
              h('td', {}, k.kind === 'server' ? 'server SDK key' : 'client-side ID'),
              h('td', {}, h('code', {}, k.clientId ?? k.hint)),
              h('td', {}, k.status, k.expiresAt ? ` until ${new Date(k.expiresAt).toLocaleString()}` : ''),
              h('td', {}, new Date(k.createdAt).toLocaleDateString()),
              h(
                'td',
                { class: 'actions' },
                k.status === 'active' ? grace : null,
                k.status === 'active'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        onclick: async () => {
                          const made = await guard(() =>
                            api('POST', `${base}/${seg(k.id)}/rotate`, {
                              body: { gracePeriodSeconds: Number(grace.value) },
                            }),
                          );
                          if (made)
                            mount(
                              shownOnce,
                              revealed(`New ${made.kind === 'server' ? 'server SDK key' : 'client-side ID'}`, made.key),
                            );
                          await load();
                        },
                      },
                      `Rotate ${k.hint}`,
                    )
                  : null,
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    onclick: async () => {
                      if (!confirm(`Revoke ${k.hint}? SDKs using it are disconnected at once.`)) return;
                      await guard(() => api('DELETE', `${base}/${seg(k.id)}`));
                      await load();
                    },
                  },
                  `Revoke ${k.hint}`,
                ),
              ),
            );
          }),
        ),
      ),
    );
  };

  const create = (kind) => async () => {
    const made = await guard(() => api('POST', base, { body: { kind } }));
    if (made) mount(shownOnce, revealed(kind === 'server' ? 'New server SDK key' : 'New client-side ID', made.key));
    await load();
  };

  mount(
    root,
    h('h2', {}, `SDK keys in ${env.name}`),
    h(
      'p',
      { class: 'muted' },
      'Server SDKs (@vexil/node) connect with a server key; browsers (@vexil/browser) and OpenFeature web providers with the client-side ID.',
    ),
    shownOnce,
    table,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: create('server') }, 'New server key'),
      h('button', { type: 'button', onclick: create('client') }, 'New client-side ID'),
    ),
  );
  await load();
}
