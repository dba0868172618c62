import { join } from 'node:path';

export type NodeRole = 'all' | 'api' | 'stream';

/** Everything configurable, read from the environment in one place (main.ts). */
export interface Config {
  port: number;
  host: string;
  role: NodeRole;
  /** PostgreSQL URL; absent means the embedded store in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  publicUrl: string;
  adminEmail: string;
  adminPassword: string | undefined;
}

export function configFromEnv(env: NodeJS.ProcessEnv, argv: readonly string[] = []): Config {
  const port = Number(flag(argv, '--port') ?? env.PORT ?? 4180);
  const host = flag(argv, '--host') ?? env.HOST ?? '127.0.0.1';
  const role = (flag(argv, '--role') ?? env.VEXIL_ROLE ?? 'all') as NodeRole;
  if (!['all', 'api', 'stream'].includes(role)) throw new Error(`--role must be all, api or stream, not "${role}"`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${port}"`);
  return {
    port,
    host,
    role,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: flag(argv, '--data') ?? env.VEXIL_DATA_DIR ?? join(process.cwd(), '.vexil-data'),
    redisUrl: env.REDIS_URL || undefined,
    publicUrl: env.VEXIL_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    adminEmail: env.VEXIL_ADMIN_EMAIL ?? 'admin@vexil.local',
    adminPassword: env.VEXIL_ADMIN_PASSWORD || undefined,
  };
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}
