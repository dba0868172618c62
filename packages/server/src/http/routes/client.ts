import { checkSchema, schema as t } from '@vexil/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import {
  type ClientContext,
  ContextEvaluation,
  contextIssues,
  contextSchema,
  etagMatches,
  evaluationEtag,
  renderEvaluation,
} from '../../dataplane/client-eval.js';
import type { StreamConnections } from '../../dataplane/connections.js';
import type { EnvironmentFeed } from '../../dataplane/environment-feed.js';
import type { ChangeMessage } from '../../dataplane/messages.js';
import type { SdkCredential, SdkCredentialCache } from '../../dataplane/sdk-credentials.js';
import { sseEvent } from '../../dataplane/sse.js';
import type { StreamHub } from '../../dataplane/stream-hub.js';
import { AppError, forbidden, invalid, notFound, unauthenticated } from '../../errors/errors.js';
import { type AllowedOrigins, applyCors } from '../cors.js';
import { parseJsonBody } from '../json-body.js';
import { presentedKey } from './sdk.js';

export interface ClientRouteDeps {
  hub: StreamHub;
  credentials: SdkCredentialCache;
  connections: StreamConnections;
  origins: AllowedOrigins;
}

/** Client and OFREP request bodies are a context and a flag or two: 64 KiB is plenty. */
export const CLIENT_BODY_LIMIT = 64 * 1024;
/** A base64url context in a URL: browsers and proxies handle a few KiB of URL safely. */
export const MAX_CONTEXT_PARAM = 8192;

export const evaluateBody = t.object({
  context: contextSchema,
  withReasons: t.optional(t.boolean({ description: "Include each flag's evaluation reason (default false)." })),
});

const clientIdParam = t.optional(
  t.string({ maxLength: 128, description: 'The client-side ID, for callers that cannot set headers.' }),
);
const withReasonsParam = t.optional(t.enumOf(['true', 'false'] as const));
const contextParam = t.string({
  minLength: 1,
  maxLength: MAX_CONTEXT_PARAM,
  pattern: '^[A-Za-z0-9_-]+={0,2}$',
  description: 'The context as base64url-encoded JSON.',
});

export const evaluateQuery = t.object({ clientId: clientIdParam }, { additionalProperties: true });
export const contextQuery = t.object(
  { clientId: clientIdParam, context: contextParam, withReasons: withReasonsParam },
  { additionalProperties: true },
);
type ContextQuery = t.Static<typeof contextQuery>;

/** The client-side ID a request presents: `Authorization: vxc_…` (or `Bearer vxc_…`), else `?clientId=vxc_…`. */
function presentedClientId(req: FastifyRequest): string | undefined {
  const header = presentedKey(req);
  if (header) return header;
  const q = (req.query as Record<string, unknown> | undefined)?.clientId;
  return typeof q === 'string' && q.length > 0 ? q : undefined;
}

const resolved = new WeakMap<FastifyRequest, SdkCredential>();

/**
 * Authenticates a client-side request before its body is read: client-side IDs only (server
 * keys are secrets and get 403, however valid), then the environment's CORS headers, so that
 * an allowed page can read even a 400 or a 413 about its request.
 */
export function clientAuth(credentials: SdkCredentialCache, origins: AllowedOrigins): onRequestAsyncHookHandler {
  return async (req, reply) => {
    const id = presentedClientId(req);
    if (!id) throw unauthenticated('send the client-side ID: Authorization: vxc_… or ?clientId=vxc_…');
    const cred = await credentials.resolve(id);
    if (!cred) throw unauthenticated('unknown, revoked or expired client-side ID');
    if (cred.kind !== 'client')
      throw forbidden(
        'server SDK keys are secrets and must not be used from browsers or apps; use the client-side ID (vxc_…)',
      );
    await applyCors(req, reply, origins, cred.environmentId);
    resolved.set(req, cred);
  };
}

export function credentialOf(req: FastifyRequest): SdkCredential {
  const cred = resolved.get(req);
  if (!cred) throw unauthenticated();
  return cred;
}

export async function feedOf(hub: StreamHub, cred: SdkCredential): Promise<EnvironmentFeed> {
  const feed = await hub.feed(cred.environmentId);
  if (!feed) throw notFound('environment');
  return feed;
}

/** A context given in the URL (`?context=`, base64url JSON), validated like a body's, with paths under /query/context. */
export function decodeContextParam(param: string, path = '/query/context'): ClientContext {
  let value: unknown;
  try {
    value = parseJsonBody(Buffer.from(param, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalid([
      { path, code: 'invalid_json', message: `must be base64url-encoded JSON: ${(err as Error).message}` },
    ]);
  }
  const issues = checkSchema(contextSchema, value, path);
  if (issues.length > 0) throw invalid(issues);
  const extra = contextIssues(value as ClientContext, path);
  if (extra.length > 0) throw invalid(extra);
  return value as ClientContext;
}

function checkedContext(context: ClientContext, path: string): ClientContext {
  const issues = contextIssues(context, path);
  if (issues.length > 0) throw invalid(issues);
  return context;
}

function sendEvaluation(
  req: FastifyRequest,
  reply: FastifyReply,
  feed: EnvironmentFeed,
  context: ClientContext,
  withReasons: boolean,
) {
  const etag = evaluationEtag(feed, context, `client.${withReasons ? 'reasons' : 'values'}`);
  reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'origin, authorization');
  if (etagMatches(req.headers['if-none-match'], etag)) return reply.status(304).send();
  return reply.type('application/json').send(renderEvaluation(feed, context, { withReasons }));
}

/**
 * The client-side SDK endpoints: evaluation of the client-visible flags for one context, as a
 * request (POST, or GET with the context in the URL) or as a stream of changed values.
 * Formats: docs/wire-protocol.md.
 */
export function clientRoutes(app: FastifyInstance, { hub, credentials, connections, origins }: ClientRouteDeps) {
  const onRequest = clientAuth(credentials, origins);

  app.post(
    '/client/v1/evaluate',
    { bodyLimit: CLIENT_BODY_LIMIT, onRequest, schema: { hide: true, body: evaluateBody, querystring: evaluateQuery } },
    async (req, reply) => {
      const body = req.body as t.Static<typeof evaluateBody>;
      const context = checkedContext(body.context, '/context');
      return sendEvaluation(req, reply, await feedOf(hub, credentialOf(req)), context, body.withReasons === true);
    },
  );

  app.get(
    '/client/v1/evaluate',
    { onRequest, schema: { hide: true, querystring: contextQuery } },
    async (req, reply) => {
      const q = req.query as ContextQuery;
      const context = decodeContextParam(q.context);
      return sendEvaluation(req, reply, await feedOf(hub, credentialOf(req)), context, q.withReasons === 'true');
    },
  );

  app.get('/client/v1/stream', { onRequest, schema: { hide: true, querystring: contextQuery } }, async (req, reply) => {
    const cred = credentialOf(req);
    const q = req.query as ContextQuery;
    const context = decodeContextParam(q.context);
    const feed = await feedOf(hub, cred);
    if (connections.count(cred.id) >= connections.opts.maxPerCredential) {
      connections.stats.refused++;
      throw new AppError(
        'rate_limited',
        `at most ${connections.opts.maxPerCredential} streams per client-side ID`,
        [],
        30,
      );
    }
    // HEAD learns the headers a stream would get; a hijacked response could never end it.
    if (req.method === 'HEAD')
      return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send();
    reply.hijack();
    const res = reply.raw;
    // The reply's own headers (CORS, request id) are not sent by a hijacked reply: copy them.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) headers[name] = String(value);
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const view = new ContextEvaluation(feed, context, { withReasons: q.withReasons === 'true' });
    const send = (patch: Record<string, unknown> | undefined) => {
      if (patch) client?.send(sseEvent('patch', JSON.stringify({ flags: patch }), feed.seq));
    };
    const listener = {
      change: (m: ChangeMessage) => send(view.change(m)),
      reset: () => send(view.resync()),
    };
    const client = connections.open(cred.id, res, () => feed.listeners.delete(listener));
    if (!client) return;
    // A reconnecting client (Last-Event-ID) gets a fresh put too: its values are one small object.
    client.send(sseEvent('put', JSON.stringify(view.all()), feed.seq));
    feed.listeners.add(listener);
  });
}
