// What the benchmark does through the API: seed flags, then time targeting updates.
import { prng, progress } from './stats.mjs';

export const PROJECT = 'default';
export const ENV = 'production';
const flagsPath = `/api/v1/projects/${PROJECT}/flags`;
const envPath = (key) => `${flagsPath}/${key}/environments/${ENV}`;

export const flagKey = (i) => `bench-flag-${String(i).padStart(4, '0')}`;

/** Production targeting of every seeded flag: one rule, then a 50/50 rollout for everyone else. */
export const seededConfig = (i) => ({
  on: true,
  offVariation: 1,
  targets: [],
  rules: [
    {
      id: 'north-america',
      clauses: [{ attribute: 'country', op: 'in', values: ['US', 'CA', `X${i % 100}`] }],
      serve: { variation: 0 },
    },
  ],
  fallthrough: {
    rollout: {
      variations: [
        { variation: 0, weight: 50_000 },
        { variation: 1, weight: 50_000 },
      ],
    },
  },
  comment: 'bench seed',
});

/** Runs `task(i)` for i in [0, total) with `concurrency` in flight; returns wall ms. */
export async function pool(total, concurrency, task, onDone) {
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      await task(i);
      done++;
      onDone?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return performance.now() - t0;
}

/** Creates `count` flags (POST) and gives each its production targeting (PUT), `concurrency` flags at a time. */
export async function seed(client, { count, concurrency, label }) {
  const bar = progress(`${label}: seeding ${count} flags (POST + PUT, ${concurrency} in flight)`, count);
  const createMs = [];
  const putMs = [];
  const wallMs = await pool(
    count,
    concurrency,
    async (i) => {
      const key = flagKey(i);
      const c = await client.must(201, 'POST', flagsPath, {
        key,
        name: `Bench flag ${i}`,
        description: 'created by bench/api',
        tags: ['bench'],
      });
      createMs.push(c.ms);
      const p = await client.must(200, 'PUT', envPath(key), seededConfig(i));
      putMs.push(p.ms);
    },
    (d) => bar.tick(d),
  );
  bar.done();
  return { count, concurrency, wallMs, flagsPerSec: count / (wallMs / 1000), createMs, putMs };
}

/**
 * Targeting updates: PATCH …/environments/production with turnFlagOn / turnFlagOff alternating,
 * each on a flag drawn at random (seeded). The first `warmup` are not recorded.
 * With concurrency 1 they are strictly sequential (one keep-alive connection).
 */
export async function updates(client, { count, warmup, concurrency, flags, seed: s, label }) {
  const rand = prng(s);
  const plan = Array.from({ length: warmup + count }, (_, i) => ({
    key: flagKey(Math.floor(rand() * flags)),
    kind: i % 2 === 0 ? 'turnFlagOff' : 'turnFlagOn',
  }));
  const samples = [];
  const what = concurrency === 1 ? 'sequential' : `${concurrency} in flight`;
  const bar = progress(`${label}: ${count} updates, ${what} (+${warmup} warm-up)`, warmup + count);
  let reused = 0;
  // Warm-up first (same concurrency), then the measured batch; throughput is the measured batch's wall time.
  await pool(
    warmup,
    concurrency,
    async (i) => {
      await client.must(200, 'PATCH', envPath(plan[i].key), { instructions: [{ kind: plan[i].kind }] });
    },
    (d) => bar.tick(d),
  );
  const measuredStart = performance.now();
  await pool(
    count,
    concurrency,
    async (j) => {
      const step = plan[warmup + j];
      const r = await client.must(200, 'PATCH', envPath(step.key), { instructions: [{ kind: step.kind }] });
      samples.push(r.ms);
      if (r.reused) reused++;
    },
    (d) => bar.tick(warmup + d),
  );
  const measuredEnd = performance.now();
  bar.done();
  return {
    count,
    warmup,
    concurrency,
    samples,
    wallMs: measuredEnd - measuredStart,
    throughputPerSec: count / ((measuredEnd - measuredStart) / 1000),
    reusedConnections: reused,
  };
}

/** Round trips of GET /health (no auth, no SQL): the floor of HTTP + Fastify + this client. */
export async function healthFloor(client, count = 500) {
  const samples = [];
  for (let i = 0; i < count + 50; i++) {
    const r = await client.must(200, 'GET', '/health');
    if (i >= 50) samples.push(r.ms);
  }
  return samples;
}

/** Round trips of an authenticated read of one flag's production targeting (auth + 4 SELECTs, no write). */
export async function readFloor(client, flags, count = 500) {
  const samples = [];
  const rand = prng(7);
  for (let i = 0; i < count + 50; i++) {
    const r = await client.must(200, 'GET', envPath(flagKey(Math.floor(rand() * flags))));
    if (i >= 50) samples.push(r.ms);
  }
  return samples;
}
