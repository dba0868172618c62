import { ApiError, api, seg } from '../api.js';
import { prepareEditors } from '../clauses.js';
import { h, mount } from '../dom.js';
import { renderResults } from '../experiment-results.js';
import { renderSettings, valueText } from '../flag-settings.js';
import { guard, main, say } from '../shell.js';
import { renderEditor } from '../targeting-editor.js';

/** One flag: variations, settings, targeting per environment (with its editor), audit trail. */
export async function renderFlag(projectKey, flagKey) {
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
  await prepareEditors();
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
      const resultsBody = h('div', {});
      const results = h('details', {}, h('summary', {}, `Experiment results in ${e.name}`), resultsBody);
      results.addEventListener('toggle', () => {
        if (results.open && !resultsBody.firstChild)
          renderResults(resultsBody, { projectPath: p, flagKey, env: e, guard });
      });
      return h(
        'section',
        { class: 'card env', style: { borderLeftColor: e.color } },
        h('h3', {}, e.name, ' — ', c?.on ? 'on' : 'off', c ? ` (version ${c.version})` : ''),
        body,
        results,
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
