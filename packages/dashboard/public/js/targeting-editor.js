/**
 * The targeting editor of one flag in one environment: on/off, the off variation, individual
 * targets, rules (clauses, then a variation or a percentage rollout), and the default rule. It
 * edits a plain model and turns it back into the API's configuration on save; what it does not
 * edit (prerequisites, salt, rollout seeds and hash modes) is sent back unchanged.
 */

import { clauseModel, clauseOut, clauseRow, shown, tokens } from './clauses.js';
import { field, h, mount } from './dom.js';

/** Weights are thousandths of a percent: 100 000 is everyone. */
const WEIGHT_PER_PERCENT = 1000;

let newIds = 0;
const newRuleId = () => `rule-${Date.now().toString(36)}-${++newIds}`;

function serveModel(serve, variationCount) {
  const weights = Array.from({ length: variationCount }, () => 0);
  if (serve?.rollout) {
    for (const wv of serve.rollout.variations) weights[wv.variation] = wv.weight / WEIGHT_PER_PERCENT;
    const { variations: _, ...rest } = serve.rollout;
    return { mode: 'rollout', variation: 0, weights, rest };
  }
  return { mode: 'variation', variation: serve?.variation ?? 0, weights, rest: {} };
}

function serveOut(m) {
  if (m.mode === 'variation') return { variation: Number(m.variation) };
  const variations = m.weights
    .map((w, variation) => ({ variation, weight: Math.round(Number(w) * WEIGHT_PER_PERCENT) }))
    .filter((wv) => wv.weight > 0);
  return { rollout: { ...m.rest, variations } };
}

export function toModel(config, variationCount) {
  return {
    on: !!config.on,
    offVariation: config.offVariation ?? '',
    targets: (config.targets ?? []).map((t) => ({
      contextKind: t.contextKind ?? '',
      variation: t.variation,
      text: t.values.join(', '),
    })),
    rules: (config.rules ?? []).map((r) => ({
      id: r.id,
      description: r.description ?? '',
      clauses: r.clauses.map(clauseModel),
      serve: serveModel(r.serve, variationCount),
    })),
    fallthrough: serveModel(config.fallthrough, variationCount),
    prerequisites: config.prerequisites,
    salt: config.salt,
  };
}

export function fromModel(m) {
  const body = {
    on: m.on,
    fallthrough: serveOut(m.fallthrough),
    targets: m.targets
      .map((t) => ({
        ...(t.contextKind ? { contextKind: t.contextKind } : {}),
        variation: Number(t.variation),
        values: tokens(t.text),
      }))
      .filter((t) => t.values.length > 0),
    rules: m.rules.map((r) => ({
      id: r.id,
      ...(r.description ? { description: r.description } : {}),
      clauses: r.clauses.map(clauseOut),
      serve: serveOut(r.serve),
    })),
  };
  if (m.offVariation !== '') body.offVariation = Number(m.offVariation);
  if (m.prerequisites) body.prerequisites = m.prerequisites;
  if (m.salt !== undefined) body.salt = m.salt;
  return body;
}

/**
 * Renders the editor into `root`. `onSave(body, comment)` is awaited; it throws to keep the
 * editor open (the caller shows the error).
 */
export function renderEditor(root, { flag, config, envName, onSave, onCancel }) {
  const variations = flag.variations;
  const label = (i) => `${i}: ${variations[i]?.name ?? shown(variations[i]?.value)}`;
  const m = toModel(config, variations.length);
  const comment = h('input', { name: 'comment', maxlength: 1000 });

  const variationSelect = (value, set, name, withNone = false) =>
    h(
      'select',
      { 'aria-label': name, onchange: (e) => set(e.target.value) },
      withNone ? h('option', { value: '', selected: value === '' }, '(the caller’s default)') : null,
      variations.map((_, i) => h('option', { value: i, selected: String(value) === String(i) }, label(i))),
    );

  const serveEditor = (s, name) => {
    const box = h('div', { class: 'serve' });
    const draw = () =>
      mount(
        box,
        h(
          'select',
          {
            'aria-label': `${name}: serve`,
            onchange: (e) => {
              s.mode = e.target.value;
              draw();
            },
          },
          h('option', { value: 'variation', selected: s.mode === 'variation' }, 'a variation'),
          h('option', { value: 'rollout', selected: s.mode === 'rollout' }, 'a percentage rollout'),
        ),
        s.mode === 'variation'
          ? variationSelect(s.variation, (v) => (s.variation = v), `${name}: variation`)
          : h(
              'span',
              { class: 'weights' },
              variations.map((_, i) =>
                h(
                  'label',
                  {},
                  `${label(i)} `,
                  h('input', {
                    type: 'number',
                    min: 0,
                    max: 100,
                    step: 0.001,
                    value: s.weights[i],
                    'aria-label': `${name}: % for variation ${i}`,
                    oninput: (e) => (s.weights[i] = e.target.value),
                  }),
                  ' %',
                ),
              ),
            ),
      );
    draw();
    return box;
  };

  const form = h('form', { class: 'card editor', 'aria-label': `Targeting in ${envName}` });
  const draw = () => {
    mount(
      form,
      h('h3', {}, `Targeting in ${envName}`),
      h(
        'label',
        { class: 'inline' },
        h('input', { type: 'checkbox', checked: m.on, onchange: (e) => (m.on = e.target.checked) }),
        ' Flag on',
      ),
      field(
        'Served when off',
        variationSelect(m.offVariation, (v) => (m.offVariation = v), 'Served when off', true),
      ),

      h('h4', {}, 'Individual targets'),
      m.targets.map((t, i) =>
        h(
          'div',
          { class: 'row' },
          variationSelect(t.variation, (v) => (t.variation = v), `Target ${i + 1}: variation`),
          h('input', {
            placeholder: 'context kind (user)',
            value: t.contextKind,
            'aria-label': `Target ${i + 1}: context kind`,
            oninput: (e) => (t.contextKind = e.target.value),
          }),
          h('input', {
            class: 'wide',
            placeholder: 'keys, comma-separated',
            value: t.text,
            'aria-label': `Target ${i + 1}: keys`,
            oninput: (e) => (t.text = e.target.value),
          }),
          h('button', { type: 'button', onclick: () => (m.targets.splice(i, 1), draw()) }, 'Remove target'),
        ),
      ),
      h(
        'button',
        { type: 'button', onclick: () => (m.targets.push({ contextKind: '', variation: 0, text: '' }), draw()) },
        'Add target',
      ),

      h('h4', {}, 'Rules (the first that matches serves)'),
      m.rules.map((r, ri) =>
        h(
          'fieldset',
          { class: 'rule' },
          h('legend', {}, `Rule ${ri + 1}`),
          h('input', {
            placeholder: 'description',
            value: r.description,
            'aria-label': `Rule ${ri + 1}: description`,
            oninput: (e) => (r.description = e.target.value),
          }),
          r.clauses.map((c, ci) =>
            clauseRow(c, `Rule ${ri + 1} clause ${ci + 1}`, () => (r.clauses.splice(ci, 1), draw())),
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () => (r.clauses.push(clauseModel({ attribute: '', op: 'in', values: [] })), draw()),
            },
            'Add clause',
          ),
          h('div', { class: 'row' }, 'Serve ', serveEditor(r.serve, `Rule ${ri + 1}`)),
          h(
            'div',
            { class: 'row' },
            ri > 0
              ? h(
                  'button',
                  { type: 'button', onclick: () => (m.rules.splice(ri - 1, 0, ...m.rules.splice(ri, 1)), draw()) },
                  'Move up',
                )
              : null,
            h('button', { type: 'button', onclick: () => (m.rules.splice(ri, 1), draw()) }, 'Remove rule'),
          ),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            m.rules.push({
              id: newRuleId(),
              description: '',
              clauses: [clauseModel({ attribute: '', op: 'in', values: [] })],
              serve: serveModel({ variation: 0 }, variations.length),
            });
            draw();
          },
        },
        'Add rule',
      ),

      h('h4', {}, 'Default rule (no target or rule matched)'),
      serveEditor(m.fallthrough, 'Default rule'),
      m.prerequisites?.length
        ? h('p', { class: 'muted' }, `Prerequisites (${m.prerequisites.length}) are kept as they are.`)
        : null,
      field('Comment (optional)', comment),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit' }, 'Save targeting'),
        h('button', { type: 'button', onclick: onCancel }, 'Cancel'),
      ),
    );
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await onSave(fromModel(m), comment.value.trim());
  });
  draw();
  mount(root, form);
}
