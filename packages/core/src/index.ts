export type { CodegenMode, CompiledFlag } from './compile/cells.js';
export {
  type CreateEvaluatorResult,
  createEvaluator,
  type Evaluator,
  type EvaluatorOptions,
} from './eval/evaluator.js';
export { ERROR_KINDS, type ErrorKind, type EvaluationResult, type Reason } from './eval/result.js';
export { bucketPrefix, unleashPercentile, unleashVariantTarget, vexilBucket } from './hash/bucket.js';
export { murmur3 } from './hash/murmur3.js';
export { type Clause, clauseSchema, HASH_MODES, type HashMode, OPERATORS, type Operator } from './model/clause.js';
export type { Context, MultiContext, SingleContext } from './model/context.js';
export {
  FLAG_KINDS,
  type Flag,
  type FlagKind,
  flagSchema,
  keySchema,
  type Prerequisite,
  prerequisiteSchema,
  type Rollout,
  type Rule,
  rolloutSchema,
  ruleSchema,
  type Serve,
  serveSchema,
  type Target,
  targetSchema,
  type Variation,
  variationSchema,
  WEIGHT_TOTAL,
} from './model/flag.js';
export { type Segment, type SegmentRule, segmentSchema } from './model/segment.js';
export { compareSemVer, parseSemVer, type SemVer } from './operators/semver.js';
export { compileRegex, type SafeRegex } from './regex/index.js';
export type { JsonValue, Schema, Static } from './schema/builder.js';
export * as schema from './schema/builder.js';
export { checkSchema, type Issue } from './schema/check.js';
export { validateFlag } from './validate/flag.js';
export { validateSegment } from './validate/segment.js';
export { findCycles, type Snapshot, validateSnapshot } from './validate/snapshot.js';
