/**
 * Environment settings (project admins): the selected environment's name, colour and the web
 * origins whose pages may call the client-side endpoints (CORS, for @vexil/browser), and new
 * environments, optionally cloned from an existing one (its targeting and segments).
 */
import { api, seg } from './api.js';
import { field, h, mount } from './dom.js';

export function renderEnvironmentSettings(root, { projectKey, env, envs, guard, say, onChanged }) {
  const base = `/projects/${seg(projectKey)}/environments`;
  const name = h('input', { value: env.name, required: true, maxlength: 256 });
  const color = h('input', { type: 'color', value: env.color });
  const origins = h(
    'textarea',
    { rows: 3, placeholder: 'https://app.example.com (one per line; * allows every origin)' },
    (env.allowedOrigins ?? []).join('\n'),
  );
  const settings = h(
    'form',
    { class: 'inline-form', 'aria-label': `Settings of ${env.name}` },
    field('Environment name', name),
    field('Colour', color),
    field('Allowed origins (browsers)', origins),
    h('button', { type: 'submit' }, `Save ${env.name}`),
  );
  settings.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      name: name.value.trim(),
      color: color.value,
      allowedOrigins: origins.value
        .split('\n')
        .map((o) => o.trim())
        .filter(Boolean),
    };
    if (!(await guard(() => api('PATCH', `${base}/${seg(env.key)}`, { body })))) return;
    say(`${body.name} saved.`, 'ok');
    onChanged(env.key);
  });

  const key = h('input', { required: true, pattern: '[^\\s/]+', maxlength: 256 });
  const newName = h('input', { required: true, maxlength: 256 });
  const cloneFrom = h(
    'select',
    {},
    h('option', { value: '' }, 'nothing (every flag off)'),
    envs.map((e) => h('option', { value: e.key }, e.name)),
  );
  const create = h(
    'form',
    { class: 'inline-form', 'aria-label': 'New environment' },
    field('New environment key', key),
    field('New environment name', newName),
    field('Copy targeting and segments from', cloneFrom),
    h('button', { type: 'submit' }, 'Create environment'),
  );
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      key: key.value.trim(),
      name: newName.value.trim(),
      ...(cloneFrom.value ? { cloneFrom: cloneFrom.value } : {}),
    };
    const made = await guard(() => api('POST', base, { body }));
    if (!made) return;
    say(`Created environment ${made.name}.`, 'ok');
    onChanged(made.key);
  });
  mount(root, settings, h('h3', {}, 'New environment'), create);
}
