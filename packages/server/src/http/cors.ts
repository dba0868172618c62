import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../infra/sql/client.js';

/**
 * CORS for the endpoints browsers call with a client-side ID (/client/*, /ofrep/*).
 *
 * Which origins may read a response is a property of the environment (`allowedOrigins`), and
 * the environment is only known once the client-side ID is resolved. A preflight carries no
 * credentials, so it cannot be checked against any environment: it is answered permissively
 * (the request's own origin, our methods and headers). That opens nothing, because the browser
 * only lets a page read the actual response when that response's Access-Control-Allow-Origin
 * names its origin, and that header is set only after the ID was resolved and the origin found
 * in the environment's list (or the list holds "*"). A disallowed origin gets no
 * Access-Control-Allow-Origin at all, so the browser blocks the response. The endpoints have
 * no side effects, so the request reaching the server is harmless.
 */
export const CORS_ALLOW_METHODS = 'GET, POST, OPTIONS';
export const CORS_ALLOW_HEADERS = 'authorization, content-type, if-none-match, last-event-id, x-api-key';
export const CORS_EXPOSE_HEADERS = 'etag, retry-after, x-request-id';
/** Seconds a browser may reuse a preflight (Chromium caps this at 7200). */
export const CORS_MAX_AGE = 7200;

const TTL_MS = 15_000;

/**
 * Each environment's allowed origins, cached: environment settings do not travel on the change
 * bus, so a change of `allowedOrigins` takes effect on a stream node within TTL_MS (15 s). When
 * the store cannot be asked, the last known list keeps being used.
 */
export class AllowedOrigins {
  readonly #entries = new Map<string, { origins: ReadonlySet<string> | '*'; at: number }>();
  constructor(
    private readonly sql: Sql,
    private readonly ttlMs = TTL_MS,
  ) {}

  async get(environmentId: string, now = Date.now()): Promise<ReadonlySet<string> | '*'> {
    const cached = this.#entries.get(environmentId);
    if (cached && now - cached.at < this.ttlMs) return cached.origins;
    try {
      const [row] = await this.sql.query<{ allowed_origins: unknown }>(
        'SELECT allowed_origins FROM environments WHERE id = $1',
        [environmentId],
      );
      const list = Array.isArray(row?.allowed_origins) ? (row.allowed_origins as unknown[]) : [];
      const origins: ReadonlySet<string> | '*' = list.includes('*')
        ? '*'
        : new Set(
            list.map((o) => (typeof o === 'string' ? normaliseOrigin(o) : undefined)).filter((o): o is string => !!o),
          );
      if (this.#entries.size > 10_000) this.#entries.clear();
      this.#entries.set(environmentId, { origins, at: now });
      return origins;
    } catch (err) {
      if (cached) return cached.origins;
      throw err;
    }
  }

  /** Forgets an environment's list, so the next request reads it again. */
  evict(environmentId: string): void {
    this.#entries.delete(environmentId);
  }
}

/** `scheme://host[:port]` in the form browsers send it (lower case, default port dropped). */
export function normaliseOrigin(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

const requestOrigin = (req: FastifyRequest): string | undefined => {
  const o = req.headers.origin;
  return typeof o === 'string' && o !== 'null' ? o : undefined;
};

/**
 * Sets the CORS headers of an actual (non-preflight) response for a resolved environment:
 * Access-Control-Allow-Origin only when the request's origin is allowed there. Headers set on
 * the reply survive into error responses, so an allowed page can read a 400 or a 429 too.
 */
export async function applyCors(
  req: FastifyRequest,
  reply: FastifyReply,
  origins: AllowedOrigins,
  environmentId: string,
): Promise<void> {
  reply.header('vary', 'origin');
  const origin = requestOrigin(req);
  if (!origin) return;
  const allowed = await origins.get(environmentId);
  const normal = normaliseOrigin(origin);
  if (allowed === '*' || (normal !== undefined && allowed.has(normal))) {
    reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', CORS_EXPOSE_HEADERS);
  }
}

/** Answers preflight requests under the given prefixes (see the module comment for why permissively). */
export function corsPreflightRoutes(app: FastifyInstance, prefixes: readonly string[]): void {
  for (const prefix of prefixes) {
    app.options(`${prefix}/*`, { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const origin = requestOrigin(req);
      reply.header('vary', 'origin');
      if (origin) reply.header('access-control-allow-origin', origin);
      return reply
        .header('access-control-allow-methods', CORS_ALLOW_METHODS)
        .header('access-control-allow-headers', CORS_ALLOW_HEADERS)
        .header('access-control-max-age', String(CORS_MAX_AGE))
        .status(204)
        .send();
    });
  }
}
