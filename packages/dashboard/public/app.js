/**
 * The Vexil dashboard: log in, pick a project, list and toggle flags per environment, create
 * flags, edit a flag's targeting per environment, and read its audit trail. Hash routes:
 *   #/                      projects
 *   #/p/<project>?env=<env> flags of a project in one environment
 *   #/p/<project>/f/<flag>  one flag: targeting (and its editor, per environment) and its audit trail
 */
import { ApiError, api, seg, setCsrfToken } from './js/api.js';
import { field, h, mount } from './js/dom.js';
import { parseVariationValues, renderSettings, valueText } from './js/flag-settings.js';
import { renderSdkKeys } from './js/sdk-keys.js';
import { renderSegments } from './js/segments.js';
import { renderEditor } from './js/targeting-editor.js';

const main = document.getElementById('main');
const notice = document.getElementById('notice');
let me = null;

function say(message, kind = 'info') {
  notice.textContent = message;
  notice.className = `notice ${kind}`;
  notice.hidden = !message;
}

function showWho() {
  const who = document.getElementById('who');
  who.hidden = !me;
  document.getElementById('who-name').textContent = me ? `${me.name || me.email} (${me.email})` : '';
}

/** Errors end up in the notice; a lost session goes back to the login form. */
async function guard(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      me = null;
      showWho();
      say('Your session has ended: please log in again.', 'error');
      renderLogin();
      return undefined;
    }
    say(err instanceof Error ? err.message : String(err), 'error');
    return undefined;
  }
}

function renderLogin() {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in'),
    field('Email', email),
    field('Password', password),
    error,
    h('button', { type: 'submit' }, 'Log in'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const res = await api('POST', '/session', { body: { email: email.value, password: password.value } });
      setCsrfToken(res.csrfToken);
      me = res.user;
      showWho();
      say('');
      route();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  mount(main, form);
  email.focus();
}

async function renderProjects() {
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

async function renderProject(projectKey, envKey) {
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
    tabs,
    h('div', { class: 'toolbar' }, field('Search flags', search)),
    h('details', { class: 'card' }, h('summary', {}, 'New flag'), createForm),
    list,
    segments,
    keys,
  );
  await load();
}

async function renderFlag(projectKey, flagKey) {
  const p = `/projects/${seg(projectKey)}`;
  const data = await guard(() =>
    Promise.all([
      api('GET', `${p}/flags/${seg(flagKey)}`),
      api('GET', `${p}/environments`),
      api('GET', `${p}/audit?resourceKey=${encodeURIComponent(flagKey)}`),
    ]),
  );
  if (!data) return;
  const [flag, envs, audit] = data;
  const settingsBody = h('div', {});
  const settings = h(
    'details',
    { class: 'card' },
    h('summary', {}, 'Settings, variations and lifecycle'),
    settingsBody,
  );
  settings.addEventListener('toggle', () => {
    if (settings.open)
      renderSettings(settingsBody, {
        flag,
        projectPath: p,
        guard,
        say,
        onChanged: () => renderFlag(projectKey, flagKey),
        onDeleted: () => {
          location.hash = `#/p/${seg(projectKey)}`;
        },
      });
  });
  const json = (v) => h('pre', { class: 'json' }, JSON.stringify(v, null, 2));
  mount(
    main,
    h('p', {}, h('a', { href: `#/p/${seg(projectKey)}` }, `← ${projectKey}`)),
    h(
      'h1',
      {},
      flag.name,
      ' ',
      h('code', {}, flag.key),
      flag.archived ? h('span', { class: 'badge' }, 'archived') : null,
    ),
    flag.description ? h('p', {}, flag.description) : null,
    h('h2', {}, 'Variations'),
    h(
      'ol',
      { class: 'variations', start: 0 },
      flag.variations.map((v) =>
        h('li', {}, h('code', {}, valueText(flag.kind, v.value)), v.name ? ` — ${v.name}` : ''),
      ),
    ),
    settings,
    h('h2', {}, 'Targeting'),
    envs.items.map((e) => {
      const c = flag.environments[e.key];
      const body = h('div', {});
      const show = () =>
        mount(
          body,
          c
            ? json({ rules: c.rules, targets: c.targets, fallthrough: c.fallthrough, offVariation: c.offVariation })
            : h('p', {}, 'No configuration.'),
          c ? h('button', { type: 'button', onclick: edit }, `Edit targeting in ${e.name}`) : null,
        );
      // Saved with If-Match: a configuration changed by someone else since this page loaded gets 412.
      const edit = () =>
        renderEditor(body, {
          flag,
          config: c,
          envName: e.name,
          onCancel: show,
          onSave: async (config, comment) => {
            try {
              await api('PUT', `${p}/flags/${seg(flagKey)}/environments/${seg(e.key)}`, {
                headers: { 'if-match': `"${c.version}"` },
                body: { ...config, ...(comment ? { comment } : {}) },
              });
              say(`Targeting of ${flagKey} in ${e.name} saved.`, 'ok');
              renderFlag(projectKey, flagKey);
            } catch (err) {
              if (err instanceof ApiError && err.status === 412) {
                say(
                  `Not saved: someone else changed ${flagKey} in ${e.name} since you loaded it. The page is refreshed; check and edit again.`,
                  'error',
                );
                renderFlag(projectKey, flagKey);
              } else await guard(() => Promise.reject(err));
            }
          },
        });
      show();
      return h(
        'section',
        { class: 'card env', style: { borderLeftColor: e.color } },
        h('h3', {}, e.name, ' — ', c?.on ? 'on' : 'off', c ? ` (version ${c.version})` : ''),
        body,
      );
    }),
    h('h2', {}, 'Audit trail'),
    audit.items.length === 0
      ? h('p', {}, 'No events.')
      : h(
          'ol',
          { class: 'list audit' },
          audit.items.map((a) =>
            h(
              'li',
              {},
              h('time', { datetime: a.at }, new Date(a.at).toLocaleString()),
              ' ',
              h('strong', {}, a.actor?.name ?? a.actor?.id ?? 'unknown'),
              ' ',
              h('code', {}, a.action),
              a.environment ? ` in ${a.environment}` : '',
              a.comment ? h('p', { class: 'muted' }, `“${a.comment}”`) : null,
            ),
          ),
        ),
  );
}

function route() {
  if (!me) return renderLogin();
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'p' && parts[1] && parts[2] === 'f' && parts[3]) return renderFlag(parts[1], parts[3]);
  if (parts[0] === 'p' && parts[1]) return renderProject(parts[1], new URLSearchParams(query).get('env'));
  return renderProjects();
}

document.getElementById('logout').addEventListener('click', async () => {
  await api('DELETE', '/session').catch(() => {});
  me = null;
  setCsrfToken(null);
  showWho();
  say('You are logged out.');
  renderLogin();
});
window.addEventListener('hashchange', () => {
  say('');
  route();
});

try {
  const who = await api('GET', '/session');
  if (who.user && who.csrfToken) {
    me = who.user;
    setCsrfToken(who.csrfToken);
  }
} catch {
  me = null;
}
showWho();
route();
