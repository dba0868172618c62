/**
 * What a flag is in every environment: name, description, tags, whether browsers get it, its
 * variations (names, and values for non-boolean flags), and its lifecycle (archive, restore,
 * delete once archived). Variation values are read as the flag's kind: text for strings, numbers,
 * JSON for json flags.
 */
import { api, seg } from './api.js';
import { field, h, mount } from './dom.js';

/** One line per variation value, parsed as `kind`; throws with the line's number when it cannot be. */
export function parseVariationValues(kind, text) {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.map((line, i) => {
    if (kind === 'string') return line;
    if (kind === 'number') {
      const n = Number(line.trim());
      if (line.trim() === '' || Number.isNaN(n)) throw new Error(`variation ${i + 1}: "${line}" is not a number`);
      return n;
    }
    if (kind === 'json')
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`variation ${i + 1}: not JSON`);
      }
    throw new Error(`variations of a ${kind} flag are fixed`);
  });
}

export const valueText = (kind, v) => (kind === 'string' ? v : JSON.stringify(v));

export function renderSettings(root, { flag, projectPath, guard, say, onChanged, onDeleted }) {
  const path = `${projectPath}/flags/${seg(flag.key)}`;
  const name = h('input', { value: flag.name, required: true, maxlength: 256 });
  const description = h('textarea', { rows: 2, maxlength: 4000 }, flag.description ?? '');
  const tags = h('input', { value: (flag.tags ?? []).join(', ') });
  const clientVisible = h('input', { type: 'checkbox', checked: !!flag.clientVisible });
  const variationRows = flag.variations.map((v, i) => ({
    name: h('input', { value: v.name ?? '', 'aria-label': `Variation ${i} name`, maxlength: 256 }),
    value:
      flag.kind === 'boolean'
        ? null
        : h('input', { value: valueText(flag.kind, v.value), 'aria-label': `Variation ${i} value` }),
  }));
  const form = h(
    'form',
    { class: 'card editor', 'aria-label': 'Flag settings' },
    field('Flag name', name),
    field('Flag description', description),
    field('Tags (comma-separated)', tags),
    h('label', { class: 'inline' }, clientVisible, ' Served to browsers (client-side SDKs)'),
    h('h4', {}, 'Variations'),
    variationRows.map((r, i) =>
      h('div', { class: 'row' }, `${i}: `, r.value ?? h('code', {}, String(flag.variations[i].value)), r.name),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save settings')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let variations;
    try {
      variations = variationRows.map((r, i) => {
        const value = r.value ? parseVariationValues(flag.kind, r.value.value)[0] : flag.variations[i].value;
        if (value === undefined) throw new Error(`variation ${i}: a value is needed`);
        return { ...flag.variations[i], value, ...(r.name.value.trim() ? { name: r.name.value.trim() } : {}) };
      });
    } catch (err) {
      say(err.message, 'error');
      return;
    }
    const body = {
      name: name.value.trim(),
      description: description.value,
      tags: tags.value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      clientVisible: clientVisible.checked,
      variations,
    };
    const saved = await guard(() => api('PATCH', path, { body }));
    if (!saved) return;
    say(`Settings of ${flag.key} saved.`, 'ok');
    onChanged();
  });

  const lifecycle = async (action) => {
    const done = await guard(() => api('POST', `${path}/${action}`, { body: {} }));
    if (!done) return;
    say(
      action === 'archive' ? `${flag.key} is archived: SDKs no longer receive it.` : `${flag.key} is restored.`,
      'ok',
    );
    onChanged();
  };
  mount(
    root,
    form,
    h(
      'div',
      { class: 'actions' },
      flag.archived
        ? [
            h('button', { type: 'button', onclick: () => lifecycle('restore') }, 'Restore flag'),
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: async () => {
                  if (!confirm(`Delete ${flag.key} for good? Its audit trail stays.`)) return;
                  if ((await guard(() => api('DELETE', path))) === undefined) return;
                  say(`${flag.key} is deleted.`, 'ok');
                  onDeleted();
                },
              },
              'Delete flag',
            ),
          ]
        : h('button', { type: 'button', class: 'danger', onclick: () => lifecycle('archive') }, 'Archive flag'),
    ),
  );
}
