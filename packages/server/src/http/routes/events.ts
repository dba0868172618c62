import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { schema as s } from '@vexil/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PREFIX } from '../../credentials/secrets.js';
import type { SdkCredential, SdkCredentialCache } from '../../dataplane/sdk-credentials.js';
import { AppError, invalidField, unauthenticated } from '../../errors/errors.js';
import type { SqlClient } from '../../infra/sql/client.js';
import { type AllowedOrigins, applyCors } from '../cors.js';
import { presentedKey, serverCredential } from './sdk.js';

/**
 * POST /events/v1/bulk: analytics events from server SDKs (@vexil/node), authenticated with the
 * server SDK key like /sdk/v1, optionally gzip-compressed (`Content-Encoding: gzip`), validated,
 * stored one row per event in `sdk_events`, answered 202.
 */
export interface EventRouteDeps {
  db: SqlClient;
  credentials: SdkCredentialCache;
  /** CORS for browsers: client-side IDs post from pages of the environment's allowed origins. */
  origins: AllowedOrigins;
}

/**
 * Server keys from server SDKs; client-side IDs from browsers (header or ?clientId=, since a
 * beacon cannot set headers), which may send exposures and custom events but not summaries.
 */
async function eventCredential(req: FastifyRequest, credentials: SdkCredentialCache): Promise<SdkCredential> {
  const query = (req.query as { clientId?: unknown } | undefined)?.clientId;
  const presented = presentedKey(req) ?? (typeof query === 'string' ? query : undefined);
  if (presented?.startsWith(PREFIX.clientId)) {
    const cred = await credentials.resolve(presented);
    if (!cred) throw unauthenticated('unknown, revoked or expired client-side ID');
    return cred;
  }
  return serverCredential(req, credentials);
}

/** Decompressed bodies up to 4 MiB (a summary of many flags is large but compresses well). */
export const EVENTS_BODY_LIMIT = 4 * 1024 * 1024;
export const MAX_EVENTS_PER_REQUEST = 5000;

const epochMs = s.integer({ minimum: 0, description: 'epoch milliseconds' });
const contextKeys = s.record(s.string({ minLength: 1, maxLength: 1024 }), {
  maxProperties: 32,
  description: 'the context keys by kind',
});
const counter = s.object({
  version: s.integer({ minimum: 0 }),
  variation: s.union([s.integer({ minimum: 0 }), s.nullType()]),
  count: s.integer({ minimum: 1 }),
  unknown: s.optional(s.boolean()),
});
const summaryEvent = s.object({
  kind: s.literal('summary'),
  startDate: epochMs,
  endDate: epochMs,
  flags: s.record(s.object({ counters: s.array(counter, { maxItems: 1000 }) }), { maxProperties: 100_000 }),
});
const exposureEvent = s.object({
  kind: s.literal('exposure'),
  creationDate: epochMs,
  flagKey: s.string({ minLength: 1, maxLength: 256 }),
  version: s.integer({ minimum: 0 }),
  variation: s.integer({ minimum: 0 }),
  contextKeys,
  ruleId: s.optional(s.string({ maxLength: 256 })),
});
const customEvent = s.object({
  kind: s.literal('custom'),
  creationDate: epochMs,
  key: s.string({ minLength: 1, maxLength: 256 }),
  contextKeys,
  value: s.optional(s.number()),
  data: s.optional(s.any()),
});
export const eventsBodySchema = s.object({
  sdk: s.optional(s.object({ name: s.string({ maxLength: 64 }), version: s.string({ maxLength: 64 }) })),
  dropped: s.optional(s.integer({ minimum: 0 })),
  events: s.array(s.union([summaryEvent, exposureEvent, customEvent]), { maxItems: MAX_EVENTS_PER_REQUEST }),
});
type EventsBody = s.Static<typeof eventsBodySchema>;
type AnyEvent = EventsBody['events'][number];

/** The request body through gunzip when it is compressed; Fastify's size limit then applies to the decompressed bytes. */
function decoded(req: FastifyRequest, payload: Readable): Readable {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity') return payload;
  if (encoding !== 'gzip') throw new AppError('unsupported_media_type', 'Content-Encoding must be gzip or identity');
  const gunzip = createGunzip();
  const out = Object.assign(new PassThrough(), { receivedEncodedLength: 0 });
  payload.on('data', (chunk: Buffer) => {
    out.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (err) => out.destroy(err));
  gunzip.on('error', () => out.destroy(new AppError('invalid_json', 'the body is not valid gzip')));
  payload.pipe(gunzip).pipe(out);
  return out;
}

const ROWS_PER_INSERT = 500;

function row(e: AnyEvent): [kind: string, key: string | null, at: number] {
  if (e.kind === 'summary') return ['summary', null, e.endDate];
  if (e.kind === 'exposure') return ['exposure', e.flagKey, e.creationDate];
  return ['custom', e.key, e.creationDate];
}

export function eventRoutes(app: FastifyInstance, { db, credentials, origins }: EventRouteDeps) {
  const resolved = new WeakMap<FastifyRequest, SdkCredential>();
  app.post(
    '/events/v1/bulk',
    {
      schema: { body: eventsBodySchema, hide: true },
      bodyLimit: EVENTS_BODY_LIMIT,
      // Authenticate before reading the body: an unknown key costs no decompression or validation.
      onRequest: async (req, reply) => {
        const cred = await eventCredential(req, credentials);
        if (cred.kind === 'client') await applyCors(req, reply, origins, cred.environmentId);
        resolved.set(req, cred);
      },
      preParsing: async (req, _reply, payload) => decoded(req, payload),
    },
    async (req, reply) => {
      const cred = resolved.get(req);
      if (!cred) throw new AppError('unauthenticated');
      const body = req.body as EventsBody;
      if (cred.kind === 'client') {
        const at = body.events.findIndex((e) => e.kind === 'summary');
        if (at >= 0)
          throw invalidField(
            `/events/${at}/kind`,
            'invalid_value',
            'client-side IDs may send exposure and custom events only',
          );
      }
      const payloadId =
        typeof req.headers['x-vexil-payload-id'] === 'string' ? req.headers['x-vexil-payload-id'].slice(0, 64) : null;
      const sdk = body.sdk ? `${body.sdk.name}/${body.sdk.version}` : null;
      const rows: unknown[][] = body.events.map((e) => {
        const [kind, key, at] = row(e);
        return [kind, key, new Date(at).toISOString(), JSON.stringify(e)];
      });
      if (body.dropped)
        rows.push(['dropped', null, new Date().toISOString(), JSON.stringify({ dropped: body.dropped })]);
      if (rows.length > 0)
        await db.transaction(async (tx) => {
          for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
            const chunk = rows.slice(i, i + ROWS_PER_INSERT);
            const params: unknown[] = [cred.environmentId, cred.id, payloadId, sdk];
            const values = chunk.map((r) => {
              const at = params.length;
              params.push(...r);
              return `($1, $2, $${at + 1}, $${at + 2}, $${at + 3}::timestamptz, $3, $4, $${at + 4}::jsonb)`;
            });
            await tx.query(
              `INSERT INTO sdk_events (environment_id, credential_id, kind, event_key, occurred_at, payload_id, sdk, payload) VALUES ${values.join(', ')}`,
              params,
            );
          }
        });
      return reply.status(202).send({ accepted: body.events.length });
    },
  );
}
