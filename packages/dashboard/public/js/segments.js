/**
 * The segments of one environment: reusable audiences that rules target with the `segmentMatch`
 * operator. A context is in a segment when its key is included, or, unless its key is excluded,
 * when any of the segment's rules matches. Keys here are of context kind `user` unless a line
 * says otherwise; other kinds' lists are kept as they are.
 */
import { ApiError, api, seg } from './api.js';
import { clauseModel, clauseOut, clauseRow, prepareEditors, tokens } from './clauses.js';
import { field, h, mount } from './dom.js';

const userKeys = (targets) => (targets ?? []).filter((t) => !t.contextKind || t.contextKind === 'user');
const otherKinds = (targets) => (targets ?? []).filter((t) => t.contextKind && t.contextKind !== 'user');
const keysText = (targets) =>
  userKeys(targets)
    .flatMap((t) => t.values)
    .join(', ');
const keysOut = (text, original) => {
  const values = tokens(text);
  return [...(values.length ? [{ values }] : []), ...otherKinds(original)];
};
let newIds = 0;

/** The editor of one segment (or a new one when `segment` is undefined). */
function segmentForm({ segment, onSave, onCancel }) {
  const m = {
    key: segment?.key ?? '',
    name: segment?.name ?? '',
    description: segment?.description ?? '',
    included: keysText(segment?.config.included),
    excluded: keysText(segment?.config.excluded),
    rules: (segment?.config.rules ?? []).map((r) => ({ ...r, clauses: r.clauses.map(clauseModel) })),
  };
  const comment = h('input', { maxlength: 1000 });
  const name = segment ? `Segment ${segment.key}` : 'New segment';
  const form = h('form', { class: 'card editor', 'aria-label': name });
  const input = (label, prop, attrs = {}) =>
    field(label, h('input', { value: m[prop], oninput: (e) => (m[prop] = e.target.value), ...attrs }));
  const draw = () =>
    mount(
      form,
      h('h3', {}, name),
      segment ? null : input('Segment key', 'key', { required: true, pattern: '[^\\s/]+' }),
      input('Segment name', 'name', { required: true }),
      input('Segment description', 'description'),
      input('Included keys (comma-separated)', 'included'),
      input('Excluded keys (comma-separated)', 'excluded'),
      h('h4', {}, 'Rules (any one that matches includes the context)'),
      m.rules.map((r, ri) =>
        h(
          'fieldset',
          { class: 'rule' },
          h('legend', {}, `Segment rule ${ri + 1}`),
          r.clauses.map((c, ci) =>
            clauseRow(c, `Segment rule ${ri + 1} clause ${ci + 1}`, () => (r.clauses.splice(ci, 1), draw())),
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () => (r.clauses.push(clauseModel({ attribute: '', op: 'in', values: [] })), draw()),
            },
            'Add clause',
          ),
          h('button', { type: 'button', onclick: () => (m.rules.splice(ri, 1), draw()) }, 'Remove rule'),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            m.rules.push({
              id: `seg-rule-${Date.now().toString(36)}-${++newIds}`,
              clauses: [clauseModel({ attribute: '', op: 'in', values: [] })],
            });
            draw();
          },
        },
        'Add segment rule',
      ),
      field('Comment (optional)', comment),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit' }, segment ? 'Save segment' : 'Create segment'),
        h('button', { type: 'button', onclick: onCancel }, 'Cancel'),
      ),
    );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      ...(segment ? {} : { key: m.key.trim() }),
      name: m.name.trim(),
      ...(m.description ? { description: m.description } : {}),
      included: keysOut(m.included, segment?.config.included),
      excluded: keysOut(m.excluded, segment?.config.excluded),
      rules: m.rules.map((r) => ({ ...r, clauses: r.clauses.map(clauseOut) })),
      ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
    };
    await onSave(body);
  });
  draw();
  return form;
}

/** Renders the panel into `root`; `guard` runs an API call and reports its error, `say` a message. */
export async function renderSegments(root, { projectKey, env, guard, say }) {
  await prepareEditors();
  const base = `/projects/${seg(projectKey)}/environments/${seg(env.key)}/segments`;
  const editor = h('div', {});
  const list = h('div', {}, 'Loading segments…');

  const open = (segment) =>
    mount(
      editor,
      segmentForm({
        segment,
        onCancel: () => mount(editor),
        onSave: async (body) => {
          try {
            if (segment)
              await api('PUT', `${base}/${seg(segment.key)}`, {
                headers: { 'if-match': `"${segment.version}"` },
                body,
              });
            else await api('POST', base, { body });
            say(`Segment ${segment?.key ?? body.key} saved in ${env.name}.`, 'ok');
            mount(editor);
            await load();
          } catch (err) {
            if (err instanceof ApiError && err.status === 412) {
              say(
                `Not saved: someone else changed segment ${segment.key} since you opened it. Open it again.`,
                'error',
              );
              mount(editor);
              await load();
            } else await guard(() => Promise.reject(err));
          }
        },
      }),
    );

  const load = async () => {
    const res = await guard(() => api('GET', base));
    if (!res) return;
    mount(
      list,
      res.items.length === 0
        ? h('p', {}, 'No segments yet.')
        : h(
            'ul',
            { class: 'list' },
            res.items.map((s) =>
              h(
                'li',
                { 'data-segment': s.key },
                h('strong', {}, s.name),
                ' ',
                h('code', {}, s.key),
                ` — ${userKeys(s.config.included).reduce((n, t) => n + t.values.length, 0)} included, ${(s.config.rules ?? []).length} rules `,
                h(
                  'button',
                  {
                    type: 'button',
                    // The list may summarise: edit what a full read returns, at its version.
                    onclick: async () => {
                      const full = await guard(() => api('GET', `${base}/${seg(s.key)}`));
                      if (full) open(full);
                    },
                  },
                  `Edit ${s.key}`,
                ),
              ),
            ),
          ),
    );
  };

  mount(
    root,
    h('h2', {}, `Segments in ${env.name}`),
    h('p', { class: 'muted' }, 'Target a segment from a flag rule with the segmentMatch operator and its key.'),
    list,
    h('button', { type: 'button', onclick: () => open(undefined) }, 'New segment'),
    editor,
  );
  await load();
}
