export { createVexil, type Vexil, type VexilOptions } from './app.js';
export { bootstrapIfEmpty } from './bootstrap.js';
export { type Config, configFromEnv } from './config.js';
export type { SqlClient } from './infra/sql/client.js';
export { migrate } from './infra/sql/migrate.js';
export { openStore } from './infra/sql/open.js';
export { openPglite } from './infra/sql/pglite.js';
export { openPostgres } from './infra/sql/postgres.js';
