import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StreamConnections } from '../../dataplane/connections.js';
import type { EnvironmentFeed } from '../../dataplane/environment-feed.js';
import type { SdkCredential, SdkCredentialCache } from '../../dataplane/sdk-credentials.js';
import type { SseFrame } from '../../dataplane/sse.js';
import type { StreamHub } from '../../dataplane/stream-hub.js';
import { AppError, forbidden, notFound, unauthenticated } from '../../errors/errors.js';

export interface SdkRouteDeps {
  hub: StreamHub;
  credentials: SdkCredentialCache;
  connections: StreamConnections;
}

/** The SDK key from `Authorization: vxs_…` (LaunchDarkly style) or `Authorization: Bearer vxs_…`. */
export function presentedKey(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  return h.replace(/^Bearer\s+/i, '').trim() || undefined;
}

export async function serverCredential(req: FastifyRequest, credentials: SdkCredentialCache): Promise<SdkCredential> {
  const key = presentedKey(req);
  if (!key) throw unauthenticated('send the server SDK key: Authorization: vxs_…');
  const cred = await credentials.resolve(key);
  if (!cred) throw unauthenticated('unknown, revoked or expired SDK key');
  if (cred.kind !== 'server') throw forbidden('client-side IDs cannot read flag rules; use /client/v1');
  return cred;
}

async function feedFor(hub: StreamHub, cred: SdkCredential): Promise<EnvironmentFeed> {
  const feed = await hub.feed(cred.environmentId);
  if (!feed) throw notFound('environment');
  return feed;
}

const gzipped = new WeakMap<EnvironmentFeed, { seq: number; body: Buffer }>();
/** The snapshot compressed once per sequence number, however many SDKs poll it. */
function gzipOf(feed: EnvironmentFeed): Buffer {
  let entry = gzipped.get(feed);
  if (entry?.seq !== feed.seq) {
    entry = { seq: feed.seq, body: gzipSync(feed.snapshotJson()) };
    gzipped.set(feed, entry);
  }
  return entry.body;
}

export const snapshotEtag = (feed: EnvironmentFeed) => `"${feed.environmentId}.${feed.seq}"`;

export function sdkRoutes(app: FastifyInstance, { hub, credentials, connections }: SdkRouteDeps) {
  const hide = { hide: true };

  app.get('/sdk/v1/flags', { schema: hide }, async (req, reply) => {
    const feed = await feedFor(hub, await serverCredential(req, credentials));
    return sendSnapshot(req, reply, feed);
  });

  app.get('/sdk/v1/stream', { schema: hide }, async (req, reply) => {
    const cred = await serverCredential(req, credentials);
    const feed = await feedFor(hub, cred);
    // HEAD learns the headers a stream would get; a hijacked response could never end it.
    if (req.method === 'HEAD')
      return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send();
    const lastEventId = parseLastEventId(req.headers['last-event-id']);
    if (connections.count(cred.id) >= connections.opts.maxPerCredential) {
      connections.stats.refused++;
      throw new AppError('rate_limited', `at most ${connections.opts.maxPerCredential} streams per SDK key`, [], 30);
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const listener = {
      change: (_m: unknown, frame: SseFrame) => client?.send(frame),
      reset: () => client?.send(feed.putFrame()),
    };
    const client = connections.open(cred.id, res, () => feed.listeners.delete(listener));
    if (!client) return;
    // Resume exactly where the client left off when this node still holds the changes it missed.
    const missed = lastEventId === undefined ? undefined : feed.since(lastEventId);
    if (missed) for (const frame of missed) client.send(frame);
    else client.send(feed.putFrame());
    feed.listeners.add(listener);
  });
}

function parseLastEventId(h: string | string[] | undefined): number | undefined {
  if (typeof h !== 'string' || !/^\d{1,15}$/.test(h.trim())) return undefined;
  return Number(h);
}

function sendSnapshot(req: FastifyRequest, reply: FastifyReply, feed: EnvironmentFeed) {
  const etag = snapshotEtag(feed);
  reply.header('etag', etag).header('cache-control', 'no-cache').header('vary', 'authorization, accept-encoding');
  if (req.headers['if-none-match'] === etag) return reply.status(304).send();
  reply.type('application/json');
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    return reply.header('content-encoding', 'gzip').send(gzipOf(feed));
  }
  return reply.send(feed.snapshotJson());
}
