import { randomUUID } from 'node:crypto';
import { checkSchema, type Schema } from '@vexil/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { authenticate, CSRF_HEADER, SESSION_COOKIE } from '../auth/authenticate.js';
import type { TrustProxy } from '../config.js';
import { invalid } from '../errors/errors.js';
import type { SqlClient } from '../infra/sql/client.js';
import { MAX_BODY_BYTES, parseJsonBody } from './json-body.js';
import { toProblem } from './problem.js';

export interface HttpOptions {
  db: SqlClient;
  /** Log lines (one JSON object each); secrets and credentials are never passed here. */
  log?: (line: Record<string, unknown>) => void;
  /** Proxies whose X-Forwarded-For gives the client address; default none. */
  trustProxy?: TrustProxy;
}

/** A hop count becomes the function form: trust the nearest `n` addresses of X-Forwarded-For. */
const fastifyTrustProxy = (t: TrustProxy) => (typeof t === 'number' ? (_address: string, hop: number) => hop < t : t);

const PART_PREFIX: Record<string, string> = { body: '', querystring: '/query', params: '/params', headers: '/headers' };

/**
 * The HTTP shell: JSON parsing with size and depth limits, validation through @vexil/core's
 * schema checker (so every error lists every field with its path), authentication, and one
 * error boundary that answers RFC 9457 problem documents.
 */
export function createHttp(opts: HttpOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: MAX_BODY_BYTES,
    logger: false,
    trustProxy: fastifyTrustProxy(opts.trustProxy ?? false),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, (body as string).length === 0 ? undefined : parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setValidatorCompiler(({ schema, httpPart }) => {
    const prefix = PART_PREFIX[httpPart ?? 'body'] ?? '';
    return (data: unknown) => {
      const issues = checkSchema(schema as Schema<unknown>, data);
      return issues.length === 0
        ? { value: data }
        : { error: invalid(issues.map((i) => ({ ...i, path: prefix + i.path }))) };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.decorateRequest('principal', undefined);
  app.decorateRequest('authVia', undefined);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (!req.url.startsWith('/api/')) return;
    const cookie = parseCookie(req.headers.cookie, SESSION_COOKIE);
    const csrf = req.headers[CSRF_HEADER];
    const auth = await authenticate(opts.db, {
      authorization: req.headers.authorization,
      sessionCookie: cookie,
      csrfToken: typeof csrf === 'string' ? csrf : undefined,
      safeMethod: req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS',
    }).catch((err) => {
      // Bad credentials on a public route (say, a stale cookie on the login form) are ignored there.
      if (req.routeOptions.config?.public) return undefined;
      throw err;
    });
    req.principal = auth?.principal;
    req.authVia = auth?.via;
  });

  app.setErrorHandler((err, req, reply) => {
    const { problem, retryAfter } = toProblem(err, req.url);
    if (problem.status >= 500)
      opts.log?.({
        level: 'error',
        msg: 'request failed',
        requestId: req.id,
        route: req.routeOptions.url,
        error: String((err as Error)?.stack ?? err),
      });
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    reply.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });
  app.setNotFoundHandler((req, reply) => {
    const { problem } = toProblem(Object.assign(new Error('no such route'), { statusCode: 404 }), req.url);
    reply.status(404).type('application/problem+json').send(JSON.stringify(problem));
  });
  return app;
}

function parseCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
