import { api, seg } from '../api.js';
import { h, mount } from '../dom.js';
import { guard, main } from '../shell.js';

export async function renderProjects() {
  const res = await guard(() => api('GET', '/projects'));
  if (!res) return;
  mount(
    main,
    h('h1', {}, 'Projects'),
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
  );
}
