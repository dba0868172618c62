import type { Context, EvaluationDetail, JsonValue } from './types.js';

export type VariationMethod =
  | 'boolVariation'
  | 'boolVariationDetail'
  | 'stringVariation'
  | 'stringVariationDetail'
  | 'numberVariation'
  | 'numberVariationDetail'
  | 'jsonVariation'
  | 'jsonVariationDetail'
  | 'variationDetail';

/** What a hook learns about the evaluation it wraps. */
export interface HookContext {
  readonly flagKey: string;
  readonly context: Context;
  readonly defaultValue: JsonValue;
  readonly method: VariationMethod;
}

/** Data a hook's `before` hands to its own `after` (a span, a start time…). */
export type HookData = Readonly<Record<string, unknown>>;

/**
 * Runs around every variation call: `before` in registration order, `after` in reverse order,
 * both synchronously. A hook that throws is logged and skipped; the evaluation is unaffected.
 * With no hooks registered, variation calls take a path without any hook overhead.
 */
export interface EvaluationHook {
  readonly name?: string;
  before?(context: HookContext, data: HookData): HookData | undefined;
  after?(context: HookContext, data: HookData, detail: EvaluationDetail): void;
}

const EMPTY: HookData = Object.freeze({});

export function runHooks(
  hooks: readonly EvaluationHook[],
  context: HookContext,
  evaluate: () => EvaluationDetail,
  onError: (hook: EvaluationHook, stage: 'before' | 'after', err: unknown) => void,
): EvaluationDetail {
  const data: HookData[] = [];
  for (const hook of hooks) {
    let d = EMPTY;
    try {
      d = hook.before?.(context, EMPTY) ?? EMPTY;
    } catch (err) {
      onError(hook, 'before', err);
    }
    data.push(d);
  }
  const detail = evaluate();
  for (let i = hooks.length - 1; i >= 0; i--) {
    const hook = hooks[i] as EvaluationHook;
    try {
      hook.after?.(context, data[i] ?? EMPTY, detail);
    } catch (err) {
      onError(hook, 'after', err);
    }
  }
  return detail;
}
