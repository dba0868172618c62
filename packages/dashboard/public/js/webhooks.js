/**
 * A project's webhooks (project admins): create (the signing secret is shown once), pause or
 * resume, delete, and each one's latest deliveries with their outcome.
 */
import { api, seg } from './api.js';
import { field, h, mount } from './dom.js';

export async function renderWebhooks(root, { projectKey, guard, say }) {
  const base = `/projects/${seg(projectKey)}/webhooks`;
  const shown = h('div', {});
  const list = h('div', {}, 'Loading webhooks…');
  const detail = h('div', {});

  const showDeliveries = async (hook) => {
    const res = await guard(() => api('GET', `${base}/${seg(hook.id)}/deliveries`));
    if (!res) return;
    mount(
      detail,
      h('h3', {}, `Deliveries of ${hook.name}`),
      res.items.length === 0
        ? h('p', {}, 'None yet.')
        : h(
            'table',
            { class: 'keys', 'aria-label': `Deliveries of ${hook.name}` },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Event', 'Status', 'Attempts', 'Last answer', 'Queued'].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              res.items.map((d) =>
                h(
                  'tr',
                  {},
                  h('td', {}, h('code', {}, d.action)),
                  h('td', {}, d.status),
                  h('td', {}, String(d.attempts)),
                  h('td', {}, d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '—')),
                  h('td', {}, new Date(d.createdAt).toLocaleString()),
                ),
              ),
            ),
          ),
    );
  };

  const load = async () => {
    const res = await guard(() => api('GET', base));
    if (!res) return;
    mount(
      list,
      res.items.length === 0
        ? h('p', {}, 'No webhooks.')
        : h(
            'ul',
            { class: 'list' },
            res.items.map((w) =>
              h(
                'li',
                { 'data-webhook': w.name },
                h('strong', {}, w.name),
                ' ',
                h('code', {}, w.url),
                ` — ${w.events.join(', ')}${w.active ? '' : ' (paused)'} `,
                h('button', { type: 'button', onclick: () => showDeliveries(w) }, `Deliveries of ${w.name}`),
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      await guard(() => api('PATCH', `${base}/${seg(w.id)}`, { body: { active: !w.active } }));
                      await load();
                    },
                  },
                  w.active ? `Pause ${w.name}` : `Resume ${w.name}`,
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    onclick: async () => {
                      if (!confirm(`Delete the webhook “${w.name}” and its pending deliveries?`)) return;
                      await guard(() => api('DELETE', `${base}/${seg(w.id)}`));
                      mount(detail);
                      await load();
                    },
                  },
                  `Delete ${w.name}`,
                ),
              ),
            ),
          ),
    );
  };

  const name = h('input', { required: true, maxlength: 256 });
  const url = h('input', { type: 'url', required: true, placeholder: 'https://ci.example.com/vexil' });
  const events = h('input', { value: '*', placeholder: '*, flag.*, segment.update' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'New webhook' },
    field('Webhook name', name),
    field('Webhook URL', url),
    field('Events (comma-separated)', events),
    h('button', { type: 'submit' }, 'Create webhook'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      name: name.value.trim(),
      url: url.value.trim(),
      events: events.value
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    };
    const made = await guard(() => api('POST', base, { body }));
    if (!made) return;
    say(`Webhook ${made.name} created.`, 'ok');
    mount(
      shown,
      h(
        'div',
        { class: 'notice ok', role: 'status' },
        h('p', {}, 'Signing secret: copy it now, it is not shown again.'),
        h('input', {
          readonly: true,
          value: made.secret,
          'aria-label': `Signing secret of ${made.name}`,
          class: 'secret',
          onfocus: (ev) => ev.target.select(),
        }),
      ),
    );
    form.reset();
    events.value = '*';
    await load();
  });

  mount(
    root,
    h(
      'p',
      { class: 'muted' },
      'Every change of this project, POSTed as JSON and signed (Vexil-Signature: HMAC-SHA256 of "<t>.<body>").',
    ),
    shown,
    list,
    form,
    detail,
  );
  await load();
}
