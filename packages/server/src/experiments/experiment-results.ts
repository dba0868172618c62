import { schema as t, type Variation } from '@vexil/core';
import type { FlagConfig } from '../flags/flag-schemas.js';
import type { SqlClient } from '../infra/sql/client.js';
import { compareProportions, type ProportionComparison, sampleRatioMismatch, twoSidedP } from './statistics.js';

const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';

export const resultsQuery = t.object({
  metric: t.string({ minLength: 1, maxLength: 256, description: 'The custom event key that counts as a conversion.' }),
  contextKind: t.optional(
    t.string({ minLength: 1, maxLength: 64, description: 'The unit of randomisation (default user).' }),
  ),
  control: t.optional(t.string({ pattern: '^\\d{1,4}$', description: 'The control variation (default 0).' })),
  from: t.optional(t.string({ pattern: RFC3339, description: 'Exposures at or after this time.' })),
  to: t.optional(t.string({ pattern: RFC3339, description: 'Exposures and conversions before this time.' })),
});
export type ResultsQuery = t.Static<typeof resultsQuery>;

export interface MeanComparison {
  difference: number;
  ci95: [number, number];
  pValue: number;
}

export interface VariationResult {
  variation: number;
  name: string | null;
  /** Units (context keys) whose first exposure served this variation, and only this one. */
  units: number;
  /** Of those, units that sent the metric's event at or after their first exposure. */
  conversions: number;
  conversionRate: number | null;
  /** Sum of the metric events' `value` per unit, averaged over every unit of the variation. */
  valuePerUnit: number | null;
  vsControl: ProportionComparison | null;
  valueVsControl: MeanComparison | null;
}

export interface ExperimentResults {
  metric: string;
  contextKind: string;
  control: number;
  /** Units exposed to more than one variation (the flag changed under them): left out. */
  excludedMixedUnits: number;
  variations: VariationResult[];
  /** Observed units against the experiment rollout's weights; null without exactly one experiment rollout. */
  sampleRatio: { expectedWeights: number[]; chiSquare: number; pValue: number; mismatch: boolean } | null;
}

/** The weights of the configuration's experiment rollout, when it has exactly one. */
function experimentWeights(config: FlagConfig, variations: number): number[] | null {
  const rollouts = [config.fallthrough, ...(config.rules ?? []).map((r) => r.serve)]
    .map((s) => s?.rollout)
    .filter((r) => r?.experiment === true);
  const [rollout] = rollouts;
  if (rollouts.length !== 1 || !rollout) return null;
  const weights = Array.from({ length: variations }, () => 0);
  for (const wv of rollout.variations)
    if (wv.variation < variations) weights[wv.variation] = (weights[wv.variation] ?? 0) + wv.weight;
  return weights;
}

/**
 * Exposures and conversions of one flag in one environment, from what SDKs sent to
 * /events/v1/bulk: units are context keys of one kind, each counted in the variation of its first
 * exposure; a conversion is the metric's custom event from the same unit at or after that
 * exposure. Each variation is compared with the control: conversion rate (two-proportion z-test,
 * 95 % interval) and value per unit (Welch's z, normal approximation), plus a sample-ratio check.
 */
export async function experimentResults(
  db: SqlClient,
  environmentId: string,
  flag: { key: string; variations: Variation[] },
  config: FlagConfig,
  q: ResultsQuery,
): Promise<ExperimentResults> {
  const kind = q.contextKind ?? 'user';
  const control = Number(q.control ?? 0);
  // Time bounds only when asked for: no untyped null parameters (PGlite infers their types badly).
  const params: unknown[] = [environmentId, flag.key, q.metric, kind];
  const bound = (value: string) => `$${params.push(new Date(value).toISOString())}::timestamptz`;
  const fromCond = q.from ? `AND occurred_at >= ${bound(q.from)}` : '';
  const to = q.to ? bound(q.to) : undefined;
  const toCond = (col: string) => (to ? `AND ${col} < ${to}` : '');
  // Units and conversions are joined on the unit key; without table statistics (the embedded
  // store never analyses) a planner may pick a nested loop, quadratic in units: hash it is.
  const rows = await db.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_nestloop = off');
    return tx.query<{
      variation: number;
      mixed: boolean;
      units: number;
      converted: number;
      value_sum: number;
      value_sq: number;
    }>(
      `WITH exposures AS (
         SELECT payload->'contextKeys'->>$4 AS unit, (payload->>'variation')::int AS variation, occurred_at
         FROM sdk_events
         WHERE environment_id = $1 AND kind = 'exposure' AND event_key = $2
           AND payload->'contextKeys' ? $4 ${fromCond} ${toCond('occurred_at')}
       ), units AS (
         SELECT unit, min(occurred_at) AS first_at, (array_agg(variation ORDER BY occurred_at))[1] AS variation,
                count(DISTINCT variation) > 1 AS mixed
         FROM exposures GROUP BY unit
       ), conversions AS (
         SELECT payload->'contextKeys'->>$4 AS unit, occurred_at, COALESCE((payload->>'value')::float8, 0) AS value
         FROM sdk_events
         WHERE environment_id = $1 AND kind = 'custom' AND event_key = $3
           AND payload->'contextKeys' ? $4 ${toCond('occurred_at')}
       ), converted AS (
         SELECT u.unit, sum(c.value) AS value
         FROM units u JOIN conversions c ON c.unit = u.unit AND c.occurred_at >= u.first_at
         GROUP BY u.unit
       )
       SELECT u.variation, u.mixed, count(*)::int AS units, count(cv.unit)::int AS converted,
              COALESCE(sum(cv.value), 0)::float8 AS value_sum, COALESCE(sum(cv.value * cv.value), 0)::float8 AS value_sq
       FROM units u LEFT JOIN converted cv ON cv.unit = u.unit
       GROUP BY u.variation, u.mixed`,
      params,
    );
  });
  const n = flag.variations.length;
  const stats = Array.from({ length: n }, () => ({ units: 0, conversions: 0, sum: 0, sq: 0 }));
  let excludedMixedUnits = 0;
  for (const r of rows) {
    if (r.mixed) excludedMixedUnits += Number(r.units);
    else if (r.variation >= 0 && r.variation < n) {
      const s = stats[r.variation] as (typeof stats)[number];
      s.units += Number(r.units);
      s.conversions += Number(r.converted);
      s.sum += Number(r.value_sum);
      s.sq += Number(r.value_sq);
    }
  }
  const c = stats[control];
  const mean = (s: { units: number; sum: number }) => (s.units === 0 ? null : s.sum / s.units);
  const variance = (s: { units: number; sum: number; sq: number }) =>
    s.units < 2 ? 0 : (s.sq - (s.sum * s.sum) / s.units) / (s.units - 1);
  const variations: VariationResult[] = stats.map((s, i) => {
    const isControl = i === control || !c;
    let valueVsControl: MeanComparison | null = null;
    if (!isControl && c && s.units > 1 && c.units > 1) {
      const difference = s.sum / s.units - c.sum / c.units;
      const se = Math.sqrt(variance(s) / s.units + variance(c) / c.units);
      valueVsControl = {
        difference,
        ci95: [difference - 1.959964 * se, difference + 1.959964 * se],
        pValue: se === 0 ? (difference === 0 ? 1 : 0) : twoSidedP(difference / se),
      };
    }
    return {
      variation: i,
      name: flag.variations[i]?.name ?? null,
      units: s.units,
      conversions: s.conversions,
      conversionRate: s.units === 0 ? null : s.conversions / s.units,
      valuePerUnit: mean(s),
      vsControl:
        isControl || !c ? null : compareProportions({ n: c.units, x: c.conversions }, { n: s.units, x: s.conversions }),
      valueVsControl,
    };
  });
  const weights = experimentWeights(config, n);
  const srm = weights
    ? sampleRatioMismatch(
        stats.map((s) => s.units),
        weights,
      )
    : null;
  return {
    metric: q.metric,
    contextKind: kind,
    control,
    excludedMixedUnits,
    variations,
    sampleRatio:
      weights && srm
        ? { expectedWeights: weights, chiSquare: srm.chiSquare, pValue: srm.pValue, mismatch: srm.pValue < 0.001 }
        : null,
  };
}
