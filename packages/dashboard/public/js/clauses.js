/**
 * One condition of a rule, as the editors show it: attribute, `not`, operator and comma-separated
 * values; its model, and the clause it becomes again. Used by flag rules and segment rules.
 */
import { h } from './dom.js';
import { loadOperators } from './operators.js';

/** Filled by `loadOperators()` before an editor is drawn (see operators.js). */
let OPERATORS = ['in'];
/** Reads the operators the server accepts; call before drawing clause rows. */
export async function prepareEditors() {
  OPERATORS = await loadOperators();
}
const NUMERIC = new Set(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual', 'percentage']);
/** A value as text: strings as they are, anything else as JSON. */
export const shown = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
export const tokens = (text) =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function clauseModel(c) {
  return { ...c, text: (c.values ?? []).map(shown).join(', '), original: c.values ?? [] };
}

/** Values back from text: numbers for numeric operators; elsewhere an untouched value keeps its JSON type. */
export function clauseOut({ text, original, ...c }) {
  const keep = new Map(original.map((v) => [shown(v), v]));
  const values = tokens(text).map((t) => (NUMERIC.has(c.op) ? Number(t) : keep.has(t) ? keep.get(t) : t));
  const out = { ...c, values };
  if (!out.negate) delete out.negate;
  if (!out.attribute) delete out.attribute;
  if (!out.contextKind) delete out.contextKind;
  return out;
}

/** One clause's inputs: attribute, `not`, operator and comma-separated values. */
export function clauseRow(c, name, onRemove) {
  return h(
    'div',
    { class: 'row' },
    h('input', {
      placeholder: 'attribute',
      value: c.attribute ?? '',
      'aria-label': `${name}: attribute`,
      oninput: (e) => (c.attribute = e.target.value),
    }),
    h(
      'label',
      { class: 'inline' },
      h('input', { type: 'checkbox', checked: !!c.negate, onchange: (e) => (c.negate = e.target.checked) }),
      ' not',
    ),
    h(
      'select',
      { 'aria-label': `${name}: operator`, onchange: (e) => (c.op = e.target.value) },
      // An operator the list does not know (an older document) is still shown as it is.
      (OPERATORS.includes(c.op) ? OPERATORS : [...OPERATORS, c.op]).map((op) =>
        h('option', { value: op, selected: c.op === op }, op),
      ),
    ),
    h('input', {
      class: 'wide',
      placeholder: 'values, comma-separated',
      value: c.text,
      'aria-label': `${name}: values`,
      oninput: (e) => (c.text = e.target.value),
    }),
    h('button', { type: 'button', onclick: onRemove }, 'Remove clause'),
  );
}
