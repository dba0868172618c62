/**
 * Administration (installation admins): the people who log in, with their roles per project,
 * and the API tokens that scripts and pipelines use. Secrets (a generated password, a new
 * token) are shown once.
 */
import { api, seg } from '../api.js';
import { field, h, mount } from '../dom.js';
import { guard, main, say } from '../shell.js';

const ROLES = ['viewer', 'editor', 'admin'];

function shownOnce(label, value) {
  return h(
    'div',
    { class: 'notice ok', role: 'status' },
    h('p', {}, `${label}: copy it now, it is not shown again.`),
    h('input', { readonly: true, value, 'aria-label': label, class: 'secret', onfocus: (e) => e.target.select() }),
  );
}

const select = (label, options, attrs = {}) =>
  h(
    'select',
    { 'aria-label': label, ...attrs },
    options.map(([value, text]) => h('option', { value }, text)),
  );

async function usersPanel(root, projects) {
  const secret = h('div', {});
  const table = h('div', {}, 'Loading users…');
  const load = async () => {
    const res = await guard(() => api('GET', '/users'));
    if (!res) return;
    mount(
      table,
      h(
        'table',
        { class: 'keys' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'User'), h('th', {}, 'Installation'), h('th', {}, 'Projects'), h('th', {})),
        ),
        h(
          'tbody',
          {},
          res.items.map((u) => {
            const project = select(
              `Project for ${u.email}`,
              projects.map((p) => [p.key, p.name]),
            );
            const role = select(
              `Role for ${u.email}`,
              ROLES.map((r) => [r, r]),
            );
            const patch = (body, done) => async () => {
              if (await guard(() => api('PATCH', `/users/${seg(u.id)}`, { body }))) say(done, 'ok');
              await load();
            };
            return h(
              'tr',
              { 'data-user': u.email },
              h('td', {}, h('strong', {}, u.name), h('br', {}), u.email),
              h('td', {}, u.disabled ? 'disabled' : u.isAdmin ? 'admin' : 'member'),
              h(
                'td',
                {},
                u.memberships.length === 0
                  ? 'none'
                  : h(
                      'ul',
                      { class: 'plain' },
                      u.memberships.map((m) =>
                        h(
                          'li',
                          {},
                          `${m.project}: ${m.role}${m.environments ? ` (${m.environments.join(', ')})` : ''} `,
                          h(
                            'button',
                            {
                              type: 'button',
                              onclick: async () => {
                                await guard(() => api('DELETE', `/users/${seg(u.id)}/memberships/${seg(m.project)}`));
                                await load();
                              },
                            },
                            `Remove ${u.email} from ${m.project}`,
                          ),
                        ),
                      ),
                    ),
                h(
                  'div',
                  { class: 'row' },
                  project,
                  role,
                  h(
                    'button',
                    {
                      type: 'button',
                      onclick: async () => {
                        const done = await guard(() =>
                          api('PUT', `/users/${seg(u.id)}/memberships/${seg(project.value)}`, {
                            body: { role: role.value },
                          }),
                        );
                        if (done) say(`${u.email} is ${role.value} in ${project.value}.`, 'ok');
                        await load();
                      },
                    },
                    `Grant ${u.email}`,
                  ),
                ),
              ),
              h(
                'td',
                { class: 'actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: patch(
                      { isAdmin: !u.isAdmin },
                      `${u.email} ${u.isAdmin ? 'is no longer' : 'is now'} an admin.`,
                    ),
                  },
                  u.isAdmin ? `Remove admin ${u.email}` : `Make admin ${u.email}`,
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: u.disabled ? '' : 'danger',
                    onclick: patch({ disabled: !u.disabled }, `${u.email} is ${u.disabled ? 'enabled' : 'disabled'}.`),
                  },
                  u.disabled ? `Enable ${u.email}` : `Disable ${u.email}`,
                ),
              ),
            );
          }),
        ),
      ),
    );
  };
  const email = h('input', { type: 'email', required: true });
  const name = h('input', { required: true, maxlength: 256 });
  const isAdmin = h('input', { type: 'checkbox' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'New user' },
    field('New user’s email', email),
    field('New user’s name', name),
    h('label', { class: 'inline' }, isAdmin, ' Installation admin'),
    h('button', { type: 'submit' }, 'Create user'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const made = await guard(() =>
      api('POST', '/users', { body: { email: email.value.trim(), name: name.value.trim(), isAdmin: isAdmin.checked } }),
    );
    if (!made) return;
    mount(secret, shownOnce(`Password for ${made.user.email}`, made.password));
    form.reset();
    await load();
  });
  mount(root, h('h2', {}, 'Users'), secret, table, h('details', { class: 'card' }, h('summary', {}, 'New user'), form));
  await load();
}

async function tokensPanel(root, projects) {
  const secret = h('div', {});
  const table = h('div', {}, 'Loading tokens…');
  const load = async () => {
    const res = await guard(() => api('GET', '/tokens'));
    if (!res) return;
    mount(
      table,
      res.items.length === 0
        ? h('p', {}, 'No active tokens.')
        : h(
            'table',
            { class: 'keys' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Name', 'Role', 'Scope', 'Token', 'Last used', ''].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              res.items.map((t) =>
                h(
                  'tr',
                  { 'data-token': t.name },
                  h('td', {}, t.name),
                  h('td', {}, t.role),
                  h(
                    'td',
                    {},
                    t.project ? `${t.project}${t.environment ? ` / ${t.environment}` : ''}` : 'every project',
                  ),
                  h('td', {}, h('code', {}, t.hint)),
                  h('td', {}, t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'),
                  h(
                    'td',
                    {},
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'danger',
                        onclick: async () => {
                          if (!confirm(`Revoke the token “${t.name}”? Whatever uses it stops working at once.`)) return;
                          await guard(() => api('DELETE', `/tokens/${seg(t.id)}`));
                          await load();
                        },
                      },
                      `Revoke ${t.name}`,
                    ),
                  ),
                ),
              ),
            ),
          ),
    );
  };
  const name = h('input', { required: true, maxlength: 256, placeholder: 'deploy pipeline' });
  const role = select(
    'Token role',
    ROLES.map((r) => [r, r]),
  );
  const project = select('Token project', [['', 'every project'], ...projects.map((p) => [p.key, p.name])]);
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'New API token' },
    field('Token name', name),
    field('Token role', role),
    field('Token project', project),
    h('button', { type: 'submit' }, 'Create token'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const made = await guard(() =>
      api('POST', '/tokens', {
        body: { name: name.value.trim(), role: role.value, ...(project.value ? { project: project.value } : {}) },
      }),
    );
    if (!made) return;
    mount(secret, shownOnce(`Token ${made.name}`, made.token));
    form.reset();
    await load();
  });
  mount(
    root,
    h('h2', {}, 'API tokens'),
    h('p', { class: 'muted' }, 'For scripts, CI/CD pipelines and metrics scrapers: Authorization: Bearer <token>.'),
    secret,
    table,
    h('details', { class: 'card' }, h('summary', {}, 'New API token'), form),
  );
  await load();
}

export async function renderAdmin() {
  const projects = await guard(() => api('GET', '/projects'));
  if (!projects) return;
  const users = h('section', {});
  const tokens = h('section', {});
  mount(main, h('p', {}, h('a', { href: '#/' }, '← Projects')), h('h1', {}, 'Administration'), users, tokens);
  await Promise.all([usersPanel(users, projects.items), tokensPanel(tokens, projects.items)]);
}
