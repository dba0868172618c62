import type { SqlClient } from './client.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** PostgreSQL when a URL is given, else the embedded store in `dataDir` (in memory when undefined). */
export const openStore = (opts: {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  schema?: string;
}): Promise<SqlClient> =>
  opts.databaseUrl
    ? openPostgres({ url: opts.databaseUrl, ...(opts.schema ? { schema: opts.schema } : {}) })
    : openPglite(opts.dataDir);
