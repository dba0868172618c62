import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Paths that belong to the API, the data plane and the docs: never answered with the dashboard. */
const RESERVED = ['/api/', '/sdk/', '/client/', '/ofrep/', '/events/', '/docs', '/health'];

/** The dashboard's public/ directory, from the installed @vexil/dashboard package. */
export function dashboardDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@vexil/dashboard/package.json');
  return resolve(pkg, '..', 'public');
}

/**
 * A file under `root` for a request path, or undefined: decoded, normalized, and refused when it
 * would leave the directory (`..`, encoded separators, absolute paths), names a dotfile, or has a
 * type we do not serve.
 */
export function resolveUnder(root: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || p.startsWith('.'))) return undefined;
  const base = resolve(root);
  const file = resolve(base, ...parts);
  if (!file.startsWith(base + sep)) return undefined;
  if (!TYPES[extname(file)]) return undefined;
  return file;
}

async function sendFile(reply: FastifyReply, file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    const body = await readFile(file);
    reply
      .header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * The dashboard's static files at `/`: index.html at `/` and files under `dir` by path (its
 * routes live in the URL fragment, so no other page is needed). Anything else, and every path
 * under the API and the data plane, is the usual 404 problem document.
 */
export function dashboardRoutes(app: FastifyInstance, { dir }: { dir: string }) {
  const index = resolve(dir, 'index.html');
  const opts = { config: { public: true }, schema: { hide: true } };

  app.get('/', opts, async (_req, reply) => {
    if (!(await sendFile(reply, index))) return reply.callNotFound();
    return reply;
  });

  app.get('/*', opts, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (RESERVED.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return reply.callNotFound();
    const file = resolveUnder(dir, path);
    if (file && (await sendFile(reply, file))) return reply;
    return reply.callNotFound();
  });
}
