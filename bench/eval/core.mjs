// @vexil/core, or another build of it for A/B comparisons of a core change:
//   VEXIL_BENCH_CORE=/abs/path/to/dist/index.js node --expose-gc bench/eval/run.mjs
const core = await import(process.env.VEXIL_BENCH_CORE || '@vexil/core');

export const { createEvaluator, bucketPrefix, vexilBucket } = core;
