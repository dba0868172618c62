/**
 * A flag's experiment readout in one environment: per variation, units and conversions of a
 * metric, the conversion rate as a bar with its 95 % interval against control, the p-value, and a
 * sample-ratio warning.
 */
import { api, seg } from './api.js';
import { field, h, mount } from './dom.js';

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)} %`);
const signedPct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pts`;

export function renderResults(root, { projectPath, flagKey, env, guard }) {
  const metric = h('input', { required: true, placeholder: 'custom event key, e.g. checkout' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': `Experiment results in ${env.name}` },
    field(`Metric in ${env.name}`, metric),
    h('button', { type: 'submit' }, `Show results in ${env.name}`),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ metric: metric.value.trim() });
    const r = await guard(() =>
      api('GET', `${projectPath}/flags/${seg(flagKey)}/environments/${seg(env.key)}/results?${q}`),
    );
    if (!r) return;
    const max = Math.max(0.0001, ...r.variations.map((v) => v.conversionRate ?? 0));
    mount(
      out,
      r.sampleRatio?.mismatch
        ? h(
            'p',
            { class: 'notice error', role: 'alert' },
            `Sample ratio mismatch (p = ${r.sampleRatio.pValue.toExponential(2)}): the split does not match the rollout's weights; do not trust these results until you know why.`,
          )
        : null,
      h(
        'table',
        { class: 'keys results', 'aria-label': `Results of ${r.metric}` },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Variation', 'Units', 'Conversions', 'Rate', 'vs control (95 % interval)', 'p-value'].map((t) =>
              h('th', {}, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          r.variations.map((v) =>
            h(
              'tr',
              { 'data-variation': v.variation },
              h(
                'td',
                {},
                `${v.variation}${v.name ? `: ${v.name}` : ''}${v.variation === r.control ? ' (control)' : ''}`,
              ),
              h('td', {}, String(v.units)),
              h('td', {}, String(v.conversions)),
              h(
                'td',
                {},
                h(
                  'div',
                  { class: 'bar', title: pct(v.conversionRate) },
                  h('span', { style: { width: `${((v.conversionRate ?? 0) / max) * 100}%` } }),
                ),
                pct(v.conversionRate),
              ),
              h(
                'td',
                {},
                v.vsControl
                  ? `${signedPct(v.vsControl.difference)} (${signedPct(v.vsControl.ci95[0])} to ${signedPct(v.vsControl.ci95[1])})`
                  : '—',
              ),
              h('td', {}, v.vsControl ? v.vsControl.pValue.toFixed(4) : '—'),
            ),
          ),
        ),
      ),
      r.excludedMixedUnits
        ? h('p', { class: 'muted' }, `${r.excludedMixedUnits} units saw more than one variation and are left out.`)
        : null,
    );
  });
  mount(root, form, out);
}
