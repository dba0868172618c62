#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { createVexil } from './app.js';
import { bootstrapIfEmpty } from './bootstrap.js';
import { configFromEnv } from './config.js';
import { redisBus } from './dataplane/redis-bus.js';
import { redisCredentials } from './dataplane/shared-credentials.js';
import { redisCache } from './dataplane/snapshot-cache.js';
import { openStore } from './infra/sql/open.js';

const USAGE = `Usage:
  vexil [--port N] [--host H] [--data DIR] [--role all|api|stream]   start the platform
  vexil audit verify [--project KEY]                                 check the audit log's hash chains

Environment: PORT, HOST, DATABASE_URL (PostgreSQL; default: embedded store in VEXIL_DATA_DIR or ./.vexil-data),
REDIS_URL, VEXIL_PUBLIC_URL, VEXIL_TRUST_PROXY, VEXIL_ADMIN_EMAIL, VEXIL_ADMIN_PASSWORD (first start only).`;

async function main(argv: string[]) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const config = configFromEnv(process.env, argv);
  if (argv[0] === 'audit') {
    const { auditCommand } = await import('./cli/audit-command.js');
    process.exitCode = await auditCommand(argv.slice(1), config);
    return;
  }
  const started = performance.now();
  if (!config.databaseUrl) {
    mkdirSync(config.dataDir, { recursive: true });
    // The embedded store is PostgreSQL compiled to WASM; V8's optimising WASM compiler would
    // spend 60-90 MiB on it for little gain at the sizes the embedded store is for.
    setFlagsFromString('--liftoff-only');
  }
  const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const vexil = await createVexil({
    db,
    role: config.role,
    trustProxy: config.trustProxy,
    // With REDIS_URL, changes fan out to every node through Redis and snapshots are shared there.
    ...(config.redisUrl
      ? {
          bus: await redisBus(config.redisUrl),
          cache: await redisCache(config.redisUrl),
          sharedCredentials: await redisCredentials(config.redisUrl),
        }
      : {}),
    log: (line) => console.error(JSON.stringify({ time: new Date().toISOString(), ...line })),
  });
  // A stream node never writes: the first api (or all) node creates the administrator.
  const first =
    config.role === 'stream'
      ? undefined
      : await bootstrapIfEmpty(db, vexil.projects, {
          adminEmail: config.adminEmail,
          adminPassword: config.adminPassword,
        });
  await vexil.http.listen({ port: config.port, host: config.host });
  const address = vexil.http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  const store = `${config.databaseUrl ? 'PostgreSQL' : `embedded store in ${config.dataDir}`}${config.redisUrl ? ', Redis fan-out' : ''}`;
  console.log(
    `Vexil is ready at ${url} (${store}, role ${config.role}, ${Math.round(performance.now() - started)} ms)`,
  );
  console.log(`  Dashboard:  ${url}/`);
  console.log(`  API docs:   ${url}/docs`);
  if (first) {
    console.log('\nFirst start: created project "default" (production, staging) and an administrator.');
    console.log(`  Log in as  ${first.adminEmail}  with password  ${first.adminPassword}`);
    console.log(`  API token  ${first.adminToken}`);
    console.log('  These are shown once; keep them somewhere safe.\n');
    console.log(`  Try: curl -H "Authorization: Bearer ${first.adminToken}" ${url}/api/v1/projects/default/flags`);
  }
  const stop = async () => {
    await vexil.close().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
