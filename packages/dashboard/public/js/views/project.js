import { ApiError, api, seg } from '../api.js';
import { field, h, mount } from '../dom.js';
import { renderEnvironmentSettings } from '../environments.js';
import { parseVariationValues } from '../flag-settings.js';
import { renderSdkKeys } from '../sdk-keys.js';
import { renderSegments } from '../segments.js';
import { guard, main, say } from '../shell.js';
import { renderWebhooks } from '../webhooks.js';

/** A project's flags in one environment, with toggles, the new-flag form, segments and SDK keys. */
export async function renderProject(projectKey, envKey) {
  const p = `/projects/${seg(projectKey)}`;
  const envs = await guard(() => api('GET', `${p}/environments`));
  if (!envs) return;
  const env = envs.items.find((e) => e.key === envKey) ?? envs.items[0];
  if (!env) return mount(main, h('p', {}, 'This project has no environments.'));

  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': 'Environments' },
    envs.items.map((e) =>
      h(
        'a',
        {
          role: 'tab',
          href: `#/p/${seg(projectKey)}?env=${seg(e.key)}`,
          'aria-selected': String(e.key === env.key),
          class: e.key === env.key ? 'tab selected' : 'tab',
          style: { borderColor: e.color, ...(e.key === env.key ? { background: e.color } : {}) },
        },
        e.name,
      ),
    ),
  );
  const search = h('input', { type: 'search', name: 'q', placeholder: 'key or name' });
  const list = h('div', { id: 'flags', 'aria-live': 'polite' }, 'Loading flags…');
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  });

  const key = h('input', { name: 'key', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*', maxlength: 256 });
  const name = h('input', { name: 'name', required: true, maxlength: 256 });
  const description = h('textarea', { name: 'description', rows: 2, maxlength: 4000 });
  const kind = h(
    'select',
    { name: 'kind' },
    ['boolean', 'string', 'number', 'json'].map((k) => h('option', { value: k }, k)),
  );
  const values = h('textarea', {
    name: 'variations',
    rows: 3,
    placeholder: 'one value per line (string, number or json flags)',
  });
  const createForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'New flag' },
    field('Key', key),
    field('Name', name),
    field('Description', description),
    field('Kind', kind),
    field('Variations', values),
    h('button', { type: 'submit' }, 'Create flag'),
  );
  createForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { key: key.value.trim(), name: name.value.trim() };
    if (description.value.trim()) body.description = description.value.trim();
    if (kind.value !== 'boolean') {
      body.kind = kind.value;
      try {
        body.variations = parseVariationValues(kind.value, values.value).map((value) => ({ value }));
      } catch (err) {
        say(err.message, 'error');
        return;
      }
    }
    const made = await guard(() => api('POST', `${p}/flags`, { body }));
    if (!made) return;
    say(`Created flag ${made.key} (off in every environment).`, 'ok');
    createForm.reset();
    createForm.closest('details').open = false;
    load();
  });

  async function load() {
    const q = search.value.trim();
    const res = await guard(() => api('GET', `${p}/flags?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`));
    if (!res) return;
    // The list carries definitions only; each flag's state comes with its full read.
    const flags = await guard(() => Promise.all(res.items.map((f) => api('GET', `${p}/flags/${seg(f.key)}`))));
    if (!flags) return;
    if (flags.length === 0) return mount(list, h('p', {}, q ? `No flags match “${q}”.` : 'No flags yet.'));
    mount(
      list,
      h(
        'ul',
        { class: 'list flags' },
        flags.map((f) => flagRow(f)),
      ),
    );
  }

  function flagRow(f) {
    const cfg = f.environments[env.key];
    const on = cfg?.on === true;
    const toggle = h(
      'button',
      {
        type: 'button',
        class: on ? 'toggle on' : 'toggle',
        'aria-pressed': String(on),
        'aria-label': `${f.key} in ${env.name}: ${on ? 'on, turn off' : 'off, turn on'}`,
        disabled: !cfg,
      },
      on ? 'On' : 'Off',
    );
    toggle.addEventListener('click', () => confirmToggle(f, cfg, !on));
    return h(
      'li',
      { 'data-flag': f.key },
      h(
        'div',
        { class: 'flag-main' },
        h('a', { href: `#/p/${seg(projectKey)}/f/${seg(f.key)}` }, f.name),
        ' ',
        h('code', {}, f.key),
        f.description ? h('p', { class: 'muted' }, f.description) : null,
      ),
      toggle,
    );
  }

  /** Asks for an optional comment, then sends the instruction with If-Match: a stale read gets 412. */
  function confirmToggle(f, cfg, turnOn) {
    const comment = h('input', { name: 'comment', maxlength: 1000 });
    const dialog = h(
      'dialog',
      { 'aria-labelledby': 'toggle-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'toggle-title' }, `Turn ${f.key} ${turnOn ? 'on' : 'off'} in ${env.name}?`),
        field('Comment (optional)', comment),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', value: 'confirm' }, `Turn ${turnOn ? 'on' : 'off'}`),
          h('button', { type: 'submit', value: 'cancel', formnovalidate: true }, 'Cancel'),
        ),
      ),
    );
    dialog.addEventListener('close', async () => {
      dialog.remove();
      if (dialog.returnValue !== 'confirm') return;
      try {
        await api('PATCH', `${p}/flags/${seg(f.key)}/environments/${seg(env.key)}`, {
          headers: { 'if-match': `"${cfg.version}"` },
          body: {
            instructions: [{ kind: turnOn ? 'turnFlagOn' : 'turnFlagOff' }],
            ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
          },
        });
        say(`${f.key} is now ${turnOn ? 'on' : 'off'} in ${env.name}.`, 'ok');
      } catch (err) {
        if (err instanceof ApiError && err.status === 412)
          say(
            `Not changed: someone else changed ${f.key} in ${env.name} since you loaded it. The list is refreshed; check and try again.`,
            'error',
          );
        else await guard(() => Promise.reject(err));
      }
      load();
    });
    document.body.append(dialog);
    dialog.showModal();
    comment.focus();
  }

  // The environment's segments and SDK credentials, each read when opened.
  const environmentsBody = h('div', {});
  const environments = h(
    'details',
    { class: 'card' },
    h('summary', {}, 'Environment settings and new environments'),
    environmentsBody,
  );
  environments.addEventListener('toggle', () => {
    if (environments.open)
      renderEnvironmentSettings(environmentsBody, {
        projectKey,
        env,
        envs: envs.items,
        guard,
        say,
        onChanged: (key) => {
          const next = `#/p/${seg(projectKey)}?env=${seg(key)}`;
          if (location.hash === next) renderProject(projectKey, key);
          else location.hash = next;
        },
      });
  });
  const webhooksBody = h('div', {});
  const webhooks = h('details', { class: 'card' }, h('summary', {}, 'Webhooks'), webhooksBody);
  webhooks.addEventListener('toggle', () => {
    if (webhooks.open) renderWebhooks(webhooksBody, { projectKey, guard, say });
  });
  const segmentsBody = h('div', {});
  const segments = h('details', { class: 'card' }, h('summary', {}, `Segments in ${env.name}`), segmentsBody);
  segments.addEventListener('toggle', () => {
    if (segments.open) renderSegments(segmentsBody, { projectKey, env, guard, say });
  });
  const keysBody = h('div', {});
  const keys = h('details', { class: 'card' }, h('summary', {}, `SDK keys for ${env.name}`), keysBody);
  keys.addEventListener('toggle', () => {
    if (keys.open) renderSdkKeys(keysBody, { projectKey, env, guard });
  });
  mount(
    main,
    h('p', {}, h('a', { href: '#/' }, '← Projects')),
    h('h1', {}, projectKey),
    h('p', {}, h('a', { href: `#/p/${seg(projectKey)}/audit` }, 'Audit log')),
    tabs,
    h('div', { class: 'toolbar' }, field('Search flags', search)),
    h('details', { class: 'card' }, h('summary', {}, 'New flag'), createForm),
    list,
    segments,
    keys,
    environments,
    webhooks,
  );
  await load();
}
