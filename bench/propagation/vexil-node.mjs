#!/usr/bin/env node
// packages/server/src/main.ts with the three things it does not pass to createVexil wired in:
// the node's role (--role), and, when REDIS_URL is set, the Redis change bus and snapshot cache.
// bench/propagation uses it only when a probe shows that the real program does not propagate
// changes from an api node to stream nodes (see bench/README.md); otherwise it runs the real one.
// Same arguments, environment and stdout lines as `vexil`.
import { mkdirSync } from 'node:fs';
import { bootstrapIfEmpty, configFromEnv, createVexil, openStore } from '@vexil/server';
import { redisBus } from '../../packages/server/dist/dataplane/redis-bus.js';
import { redisCache } from '../../packages/server/dist/dataplane/snapshot-cache.js';

const config = configFromEnv(process.env, process.argv.slice(2));
const started = performance.now();
if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const vexil = await createVexil({
  db,
  role: config.role,
  ...(config.redisUrl ? { bus: await redisBus(config.redisUrl), cache: await redisCache(config.redisUrl) } : {}),
  log: (line) => console.error(JSON.stringify({ time: new Date().toISOString(), ...line })),
});
const first = await bootstrapIfEmpty(db, vexil.projects, {
  adminEmail: config.adminEmail,
  adminPassword: config.adminPassword,
});
await vexil.http.listen({ port: config.port, host: config.host });
const address = vexil.http.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
const store = `${config.databaseUrl ? 'PostgreSQL' : `embedded store in ${config.dataDir}`}${config.redisUrl ? ', Redis fan-out' : ''}`;
console.log(
  `Vexil is ready at ${url} (${store}, role ${config.role}, ${Math.round(performance.now() - started)} ms) [bench shim]`,
);
if (first) console.log(`  API token  ${first.adminToken}`);
const stop = async () => {
  await vexil.close().catch(() => {});
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
