import { checkSchema, type EvaluationResult, type Flag, type Issue, type JsonValue } from '@vexil/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import {
  type ClientContext,
  clientVisibleKeys,
  contextIssues,
  contextSchema,
  type EvaluationOptions,
  etagMatches,
  evaluationEtag,
  isServed,
} from '../../dataplane/client-eval.js';
import type { SdkCredential, SdkCredentialCache } from '../../dataplane/sdk-credentials.js';
import type { StreamHub } from '../../dataplane/stream-hub.js';
import { AppError, unauthenticated } from '../../errors/errors.js';
import { type AllowedOrigins, applyCors } from '../cors.js';
import { CLIENT_BODY_LIMIT, feedOf } from './client.js';
import { presentedKey } from './sdk.js';

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP v1): any OpenFeature SDK with an OFREP
 * provider evaluates Vexil flags without a Vexil SDK. Server SDK keys see every flag, client-side
 * IDs only the client-visible ones (others are FLAG_NOT_FOUND, so their existence does not leak).
 * Formats and mappings: docs/wire-protocol.md.
 */
export interface OfrepRouteDeps {
  hub: StreamHub;
  credentials: SdkCredentialCache;
  origins: AllowedOrigins;
}

type ErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'FLAG_NOT_FOUND' | 'GENERAL';
type Metadata = Record<string, string | number | boolean>;

export interface OfrepSuccess {
  key: string;
  /** Absent when Vexil serves no variation: the provider then returns the code default. */
  value?: JsonValue;
  reason: string;
  variant?: string;
  metadata: Metadata;
}
export interface OfrepFailure {
  key: string;
  errorCode: ErrorCode;
  errorDetails: string;
  metadata?: Metadata;
}

type Mapped = { ok: true; context: ClientContext } | { ok: false; errorCode: ErrorCode; errorDetails: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const describeIssues = (issues: readonly Issue[]) => issues.map((i) => `${i.path}: ${i.message}`).join('; ');

/**
 * An OpenFeature evaluation context as a Vexil context: `targetingKey` becomes `key` (it wins
 * over a `key` attribute), `kind` is kept when given, else "user"; every other attribute passes
 * through. A context whose `kind` is "multi" is a Vexil multi-kind context and passes as is
 * (its `targetingKey`, if any, is dropped).
 */
export function toVexilContext(body: unknown): Mapped {
  if (body !== undefined && !isObject(body))
    return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: 'the body must be an object {context}' };
  const ctx = body?.context ?? {};
  if (!isObject(ctx)) return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: '/context: must be an object' };
  const { targetingKey, ...attributes } = ctx;
  let context: unknown;
  if (attributes.kind === 'multi') context = attributes;
  else {
    if (targetingKey === undefined || targetingKey === null || targetingKey === '')
      return { ok: false, errorCode: 'TARGETING_KEY_MISSING', errorDetails: '/context/targetingKey: is required' };
    if (typeof targetingKey !== 'string')
      return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: '/context/targetingKey: must be a string' };
    context = { ...attributes, kind: attributes.kind ?? 'user', key: targetingKey };
  }
  const issues = checkSchema(contextSchema, context, '/context');
  if (issues.length === 0) issues.push(...contextIssues(context as ClientContext, '/context'));
  // Paths name the OpenFeature field the caller sent.
  if (issues.length > 0)
    return {
      ok: false,
      errorCode: 'INVALID_CONTEXT',
      errorDetails: describeIssues(
        issues.map((i) => ({ ...i, path: i.path.replace(/^\/context\/key$/, '/context/targetingKey') })),
      ),
    };
  return { ok: true, context: context as ClientContext };
}

const ERROR_CODES: Record<string, ErrorCode> = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  MALFORMED_FLAG: 'PARSE_ERROR',
  INVALID_CONTEXT: 'INVALID_CONTEXT',
};

/** A rollout that can split: more than one variation with a positive weight. */
const splits = (flag: Flag) => (flag.fallthrough.rollout?.variations.filter((v) => v.weight > 0).length ?? 0) > 1;

/**
 * OpenFeature reasons: OFF and PREREQUISITE_FAILED → DISABLED (the off variation is served);
 * TARGET_MATCH and RULE_MATCH → TARGETING_MATCH; FALLTHROUGH → SPLIT when the fallthrough is a
 * rollout over several variations, else DEFAULT. Vexil's own reason is in metadata.reasonKind.
 */
export function ofrepReason(flag: Flag, r: EvaluationResult): string {
  switch (r.reason.kind) {
    case 'OFF':
    case 'PREREQUISITE_FAILED':
      return 'DISABLED';
    case 'TARGET_MATCH':
    case 'RULE_MATCH':
      return 'TARGETING_MATCH';
    case 'FALLTHROUGH':
      return splits(flag) ? 'SPLIT' : 'DEFAULT';
    case 'ERROR':
      return 'ERROR';
  }
}

function metadataOf(r: EvaluationResult): Metadata {
  const m: Metadata = { version: r.version, reasonKind: r.reason.kind };
  if (r.reason.kind === 'RULE_MATCH') Object.assign(m, { ruleId: r.reason.ruleId, ruleIndex: r.reason.ruleIndex });
  if (r.reason.kind === 'PREREQUISITE_FAILED') m.prerequisiteKey = r.reason.prerequisiteKey;
  if (r.reason.kind === 'ERROR') m.errorKind = r.reason.errorKind;
  if (r.inExperiment) m.inExperiment = true;
  return m;
}

export function ofrepResult(key: string, flag: Flag, r: EvaluationResult): OfrepSuccess | OfrepFailure {
  const metadata = metadataOf(r);
  if (r.reason.kind === 'ERROR') {
    const errorCode = ERROR_CODES[r.reason.errorKind] ?? 'GENERAL';
    return { key, errorCode, errorDetails: `evaluation failed: ${r.reason.errorKind}`, metadata };
  }
  const out: OfrepSuccess = { key, reason: ofrepReason(flag, r), metadata };
  if (r.variationIndex !== null) {
    out.value = r.value;
    out.variant = flag.variations[r.variationIndex]?.name ?? String(r.variationIndex);
  }
  return out;
}

/** HTTP status of a single evaluation's failure, as OFREP assigns them. */
const statusOf = (code: ErrorCode) => (code === 'FLAG_NOT_FOUND' ? 404 : code === 'GENERAL' ? 500 : 400);

const resolved = new WeakMap<FastifyRequest, SdkCredential>();

/**
 * OFREP authentication: `Authorization: Bearer <key>` (or the bare key), or `X-API-Key: <key>`;
 * a server SDK key or a client-side ID. CORS is granted to client-side IDs only: server keys
 * are secrets that never belong in a browser.
 */
function ofrepAuth(credentials: SdkCredentialCache, origins: AllowedOrigins): onRequestAsyncHookHandler {
  return async (req, reply) => {
    const apiKey = req.headers['x-api-key'];
    const key = presentedKey(req) ?? (typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : undefined);
    if (!key) throw unauthenticated('send an SDK key: Authorization: Bearer <vxs_… or vxc_…>, or X-API-Key');
    const cred = await credentials.resolve(key);
    if (!cred) throw unauthenticated('unknown, revoked or expired SDK key');
    if (cred.kind === 'client') await applyCors(req, reply, origins, cred.environmentId);
    resolved.set(req, cred);
  };
}

function credentialOf(req: FastifyRequest): SdkCredential {
  const cred = resolved.get(req);
  if (!cred) throw unauthenticated();
  return cred;
}

const sendJson = (reply: FastifyReply, status: number, body: unknown) =>
  reply.status(status).type('application/json').send(JSON.stringify(body));

/**
 * A body that cannot be parsed is an OFREP PARSE_ERROR (400, in OFREP's format, so providers
 * report it as such); everything else (401, 403, 413, 415, 429, 503) is a problem document.
 */
function ofrepErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError && (err.code === 'invalid_json' || err.code === 'body_too_deep')) {
    const key = (req.params as { key?: string } | undefined)?.key;
    return sendJson(reply, 400, {
      ...(key === undefined ? {} : { key }),
      errorCode: 'PARSE_ERROR',
      errorDetails: err.message,
    });
  }
  throw err;
}

export function ofrepRoutes(app: FastifyInstance, { hub, credentials, origins }: OfrepRouteDeps) {
  const onRequest = ofrepAuth(credentials, origins);
  const common = { bodyLimit: CLIENT_BODY_LIMIT, onRequest, errorHandler: ofrepErrors, schema: { hide: true } };
  const optionsOf = (cred: SdkCredential): EvaluationOptions => ({
    withReasons: true,
    allFlags: cred.kind === 'server',
  });

  app.post('/ofrep/v1/evaluate/flags/:key', common, async (req, reply) => {
    const { key } = req.params as { key: string };
    const cred = credentialOf(req);
    const feed = await feedOf(hub, cred);
    const mapped = toVexilContext(req.body);
    if (!mapped.ok)
      return sendJson(reply, 400, { key, errorCode: mapped.errorCode, errorDetails: mapped.errorDetails });
    const flag = feed.flags.get(key);
    if (!isServed(flag, optionsOf(cred)))
      return sendJson(reply, 404, { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag "${key}" not found` });
    const result = ofrepResult(key, flag, feed.evaluator.evaluate(key, mapped.context));
    return sendJson(reply, 'errorCode' in result ? statusOf(result.errorCode) : 200, result);
  });

  app.post('/ofrep/v1/evaluate/flags', common, async (req, reply) => {
    const cred = credentialOf(req);
    const feed = await feedOf(hub, cred);
    const mapped = toVexilContext(req.body);
    if (!mapped.ok) return sendJson(reply, 400, { errorCode: mapped.errorCode, errorDetails: mapped.errorDetails });
    const etag = evaluationEtag(feed, mapped.context, `ofrep.${cred.kind}`);
    reply
      .header('etag', etag)
      .header('cache-control', 'private, no-cache')
      .header('vary', 'origin, authorization, x-api-key');
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.status(304).send();
    const keys = cred.kind === 'server' ? [...feed.flags.keys()] : clientVisibleKeys(feed);
    const flags = keys.map((key) =>
      ofrepResult(key, feed.flags.get(key) as Flag, feed.evaluator.evaluate(key, mapped.context)),
    );
    return sendJson(reply, 200, { flags });
  });
}
