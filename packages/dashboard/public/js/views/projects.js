import { api, seg } from '../api.js';
import { field, h, mount } from '../dom.js';
import { guard, main, say, session } from '../shell.js';

/** The projects the user can see; installation admins also create projects and reach administration. */
export async function renderProjects() {
  const res = await guard(() => api('GET', '/projects'));
  if (!res) return;
  const admin = session.me?.isAdmin === true;
  const key = h('input', { required: true, pattern: '[^\\s/]+', maxlength: 256 });
  const name = h('input', { required: true, maxlength: 256 });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'New project' },
    field('Project key', key),
    field('Project name', name),
    h('button', { type: 'submit' }, 'Create project'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const made = await guard(() =>
      api('POST', '/projects', { body: { key: key.value.trim(), name: name.value.trim() } }),
    );
    if (!made) return;
    say(`Created project ${made.key} with environments ${made.environments.map((x) => x.key).join(' and ')}.`, 'ok');
    location.hash = `#/p/${seg(made.key)}`;
  });
  mount(
    main,
    h('h1', {}, 'Projects'),
    admin ? h('p', {}, h('a', { href: '#/admin' }, 'Administration: users and API tokens')) : null,
    res.items.length === 0
      ? h('p', {}, 'No projects you can see.')
      : h(
          'ul',
          { class: 'list' },
          res.items.map((p) =>
            h(
              'li',
              {},
              h('a', { href: `#/p/${seg(p.key)}` }, p.name),
              ' ',
              h('code', {}, p.key),
              p.description ? h('p', { class: 'muted' }, p.description) : null,
            ),
          ),
        ),
    admin ? h('details', { class: 'card' }, h('summary', {}, 'New project'), form) : null,
  );
}
