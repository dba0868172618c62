import { attributeGetter, selectKind } from '../eval/context-access.js';
import type { EvaluationResult, Reason } from '../eval/result.js';
import { bucketPrefix, unleashVariantTarget, vexilBucket } from '../hash/bucket.js';
import type { Serve } from '../model/flag.js';
import type { JsonValue } from '../schema/builder.js';
import { bucketValue } from './clause.js';
import type { Interner } from './intern.js';

/**
 * What a serve site yields: a result fixed at compile time, or, for a rollout, a function of
 * the context that picks among results also built at compile time. Either way evaluation
 * allocates nothing: results are frozen and shared, as are their values and reasons.
 */
export type Outcome = EvaluationResult | ((context: unknown) => EvaluationResult);

/** Variation values, frozen deeply (copies of objects, so the caller's config is left alone). */
export function frozenValues(values: readonly JsonValue[]): JsonValue[] {
  return values.map((v) =>
    v !== null && typeof v === 'object' ? deepFreeze(JSON.parse(JSON.stringify(v)) as JsonValue) : v,
  );
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

export function compileServe(
  serve: Serve,
  values: readonly JsonValue[],
  version: number,
  salt: string,
  reason: Reason,
  intern: Interner,
): Outcome {
  if (serve.rollout === undefined) {
    const index = serve.variation ?? 0;
    return intern.result(values[index] ?? null, index, reason, version);
  }
  const r = serve.rollout;
  const select = selectKind(r.contextKind ?? 'user');
  const get = attributeGetter(r.bucketBy ?? 'key');
  const mode = r.hash ?? 'vexil';
  const prefix = bucketPrefix(mode, r.seed ?? salt);
  // Cumulative upper bounds, so that picking a variation is a short scan of integers.
  const bounds: number[] = [];
  const picked: EvaluationResult[] = [];
  const pickedInExperiment: EvaluationResult[] = [];
  let total = 0;
  for (const w of r.variations) {
    total += w.weight;
    bounds.push(total);
    picked.push(intern.result(values[w.variation] ?? null, w.variation, reason, version));
    pickedInExperiment.push(
      intern.result(values[w.variation] ?? null, w.variation, reason, version, r.experiment ?? false),
    );
  }
  // A context without the bucketing attribute lands in the first bucket, like LaunchDarkly;
  // it is never counted as an experiment exposure.
  const unbucketed = picked[0] as EvaluationResult;
  const last = bounds.length - 1;
  const bucketOf =
    mode === 'unleash'
      ? (v: string) => unleashVariantTarget(prefix, v, total) - 1
      : (v: string) => vexilBucket(prefix, v);

  return (c) => {
    const attrs = select(c);
    const v = attrs === undefined ? undefined : bucketValue(get(attrs));
    if (v === undefined) return unbucketed;
    const bucket = bucketOf(v);
    let i = 0;
    while (i < last && bucket >= (bounds[i] as number)) i++;
    return pickedInExperiment[i] as EvaluationResult;
  };
}
