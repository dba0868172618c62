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
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (login limits, audit):
   * none by default, so that a client cannot pick its own address.
   */
  trustProxy: TrustProxy;
}

/** false, true (every proxy), a number of hops, or the proxies' addresses and CIDR ranges. */
export type TrustProxy = boolean | number | string[];

export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const x of list)
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(x) && !['loopback', 'linklocal', 'uniquelocal'].includes(x))
      throw new Error(`VEXIL_TRUST_PROXY: "${x}" is not an address, a CIDR range, loopback, linklocal or uniquelocal`);
  return list;
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
    trustProxy: parseTrustProxy(env.VEXIL_TRUST_PROXY),
  };
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}
