import { attributeGetter, selectKind } from '../eval/context-access.js';
import type { EvaluationResult, Reason } from '../eval/result.js';
import { bucketPrefix, unleashVariantTarget, vexilBucket } from '../hash/bucket.js';
import type { JsonValue } from '../schema/builder.js';
import type { Serve } from '../model/flag.js';
import { bucketValue } from './clause.js';

/** Produces the result for a context once a rule, target or the fallthrough has chosen to serve. */
export type Server = (context: unknown, reason: Reason) => EvaluationResult;

export function compileServe(serve: Serve, values: readonly JsonValue[], version: number, salt: string): Server {
  if (serve.rollout === undefined) {
    const index = serve.variation ?? 0;
    const value = values[index] ?? null;
    return (_c, reason) => ({ value, variationIndex: index, reason, version, inExperiment: false });
  }
  const r = serve.rollout;
  const select = selectKind(r.contextKind ?? 'user');
  const get = attributeGetter(r.bucketBy ?? 'key');
  const mode = r.hash ?? 'vexil';
  const prefix = bucketPrefix(mode, r.seed ?? salt);
  const experiment = r.experiment ?? false;
  // Cumulative upper bounds, so that picking a variation is a short scan of integers.
  const bounds: number[] = [];
  const indices: number[] = [];
  let total = 0;
  for (const w of r.variations) {
    total += w.weight;
    bounds.push(total);
    indices.push(w.variation);
  }
  const first = indices[0] ?? 0;
  const bucketOf =
    mode === 'unleash'
      ? (v: string) => unleashVariantTarget(prefix, v, total) - 1
      : (v: string) => vexilBucket(prefix, v);

  return (c, reason) => {
    const attrs = select(c);
    const v = attrs === undefined ? undefined : bucketValue(get(attrs));
    // A context without the bucketing attribute lands in the first bucket, like LaunchDarkly;
    // it is never counted as an experiment exposure.
    let index = first;
    if (v !== undefined) {
      const bucket = bucketOf(v);
      for (let i = 0; i < bounds.length; i++) {
        if (bucket < (bounds[i] as number)) {
          index = indices[i] as number;
          break;
        }
      }
    }
    return { value: values[index] ?? null, variationIndex: index, reason, version, inExperiment: experiment && v !== undefined };
  };
}
