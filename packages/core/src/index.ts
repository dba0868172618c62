export * as schema from './schema/builder.js';
export type { JsonValue, Schema, Static } from './schema/builder.js';
export { checkSchema, type Issue } from './schema/check.js';

export { OPERATORS, HASH_MODES, clauseSchema, type Clause, type Operator, type HashMode } from './model/clause.js';
export {
  FLAG_KINDS,
  WEIGHT_TOTAL,
  flagSchema,
  ruleSchema,
  rolloutSchema,
  serveSchema,
  targetSchema,
  prerequisiteSchema,
  variationSchema,
  keySchema,
  type Flag,
  type FlagKind,
  type Rule,
  type Rollout,
  type Serve,
  type Target,
  type Prerequisite,
  type Variation,
} from './model/flag.js';
export { segmentSchema, type Segment, type SegmentRule } from './model/segment.js';
export type { Context, SingleContext, MultiContext } from './model/context.js';

export { validateFlag } from './validate/flag.js';
export { validateSegment } from './validate/segment.js';
export { validateSnapshot, findCycles, type Snapshot } from './validate/snapshot.js';

export { createEvaluator, type Evaluator, type EvaluatorOptions, type CreateEvaluatorResult } from './eval/evaluator.js';
export { ERROR_KINDS, type ErrorKind, type EvaluationResult, type Reason } from './eval/result.js';
export type { CompiledFlag, CodegenMode } from './compile/cells.js';

export { murmur3 } from './hash/murmur3.js';
export { vexilBucket, unleashPercentile, unleashVariantTarget, bucketPrefix } from './hash/bucket.js';
export { parseSemVer, compareSemVer, type SemVer } from './operators/semver.js';
export { compileRegex, type SafeRegex } from './regex/index.js';
