/**
 * The authorization matrix: every registered route, called by every kind of caller, with the
 * exact set of callers each route must let through. A completeness check fails as soon as a
 * route exists that this table does not list, so a new route cannot ship unauthorized by
 * omission: whoever adds one decides here who may call it.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { hashSecret, newSecret, PREFIX } from '../src/credentials/secrets.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

/** Callers with credentials that are missing, malformed, unknown, revoked or expired, or not for this API. */
const INVALID = [
  'none',
  'malformed header',
  'unknown token',
  'revoked token',
  'expired token',
  'expired session',
  'SDK server key',
  'SDK client ID',
] as const;
/** Callers with valid credentials; roles are in the target project unless said otherwise. */
const VALID = [
  'admin token',
  'project admin token',
  'viewer token',
  'editor token',
  'staging editor token',
  'other-project editor token',
  'admin session',
  'editor session',
  'editor session without CSRF',
] as const;
const PRINCIPALS = [...INVALID, ...VALID] as const;
type PrincipalName = (typeof PRINCIPALS)[number];
type Valid = (typeof VALID)[number];

/** Who gets through, by the rule a route applies. */
const ACCESS = {
  /** No credentials needed (and bad ones are ignored). */
  public: 'everyone',
  /** Any valid API token or session. */
  authenticated: [...VALID],
  /** Users in a session (a token has no password). */
  sessionUser: ['admin session', 'editor session', 'editor session without CSRF'],
  /** Installation administrators. */
  admin: ['admin token', 'admin session'],
  /** Installation admins, and admins of the project the token is scoped to. */
  tokenManager: ['admin token', 'admin session', 'project admin token'],
  projectAdmin: ['admin token', 'admin session', 'project admin token'],
  /** Project-wide writes: environment-restricted editors are refused. */
  projectEditor: [
    'admin token',
    'admin session',
    'project admin token',
    'editor token',
    'editor session',
    'editor session without CSRF',
  ],
  /** Writes in the staging environment. */
  stagingEditor: [
    'admin token',
    'admin session',
    'project admin token',
    'editor token',
    'staging editor token',
    'editor session',
    'editor session without CSRF',
  ],
  projectViewer: [
    'admin token',
    'admin session',
    'project admin token',
    'viewer token',
    'editor token',
    'staging editor token',
    'editor session',
    'editor session without CSRF',
  ],
  /** The data plane for server SDKs: server keys only (client-side IDs are refused with 403). */
  sdkServer: ['SDK server key'],
  /** The data plane for browsers and apps: client-side IDs only (server keys, being secrets, get 403). */
  sdkClient: ['SDK client ID'],
  /** OFREP: either SDK credential. */
  sdkAny: ['SDK server key', 'SDK client ID'],
} as const satisfies Record<string, 'everyone' | readonly (Valid | 'SDK server key' | 'SDK client ID')[]>;
type Access = keyof typeof ACCESS;

interface ProjectRef {
  id: string;
  key: string;
  production: string;
  staging: string;
}

interface Target {
  url: string;
  body?: unknown;
  /** The project the scoped callers hold their roles in; default alpha. */
  project?: ProjectRef;
}

interface RouteCase {
  method: string;
  url: string;
  access: Access;
  /** Builds the request; runs before each call, so destructive routes get a fresh target each time. */
  target?: (fx: Fixture, n: number) => Promise<Target> | Target;
  /** New credentials for each call (logout ends the session it is called with). */
  freshCredentials?: boolean;
  /** A long-lived response (SSE): only its status is read, over a real socket. */
  stream?: boolean;
}

interface Fixture {
  s: TestServer;
  alpha: ProjectRef;
  beta: ProjectRef;
  adminUserId: string;
  memberUserId: string;
  targetUserId: string;
  newProject(): Promise<ProjectRef>;
  newFlag(archived: boolean): Promise<string>;
  newSegment(): Promise<string>;
  newEnvironment(): Promise<string>;
  newToken(project: ProjectRef): Promise<string>;
  newSdkKey(project: ProjectRef): Promise<string>;
  newWebhook(project: ProjectRef): Promise<string>;
}

const alphaUrl = (path: string) => (fx: Fixture) => ({ url: path.replace(':project', fx.alpha.key) });
const flagEnv = '/api/v1/projects/alpha/flags/f1/environments/staging';
const segments = '/api/v1/projects/alpha/environments/staging/segments';
const keys = '/api/v1/projects/alpha/environments/production/keys';
const userContext = Buffer.from(JSON.stringify({ kind: 'user', key: 'u1' })).toString('base64url');

/** Every route and who may call it. Keep in step with the routes: the completeness test enforces it. */
const ROUTES: RouteCase[] = [
  // Open: health, the OpenAPI document and its UI, and the login form.
  { method: 'GET', url: '/health', access: 'public' },
  { method: 'GET', url: '/api/v1/openapi.json', access: 'public' },
  { method: 'GET', url: '/docs', access: 'public' },
  { method: 'GET', url: '/docs/json', access: 'public' },
  { method: 'GET', url: '/docs/yaml', access: 'public' },
  { method: 'GET', url: '/docs/static/index.html', access: 'public' },
  { method: 'GET', url: '/docs/static/swagger-initializer.js', access: 'public' },
  { method: 'GET', url: '/docs/static/*', access: 'public', target: () => ({ url: '/docs/static/swagger-ui.css' }) },
  {
    method: 'POST',
    url: '/api/v1/session',
    access: 'public',
    target: (fx) => ({ url: '/api/v1/session', body: { email: fx.s.adminEmail, password: fx.s.adminPassword } }),
  },

  // Data plane: SDK credentials of alpha's production environment.
  { method: 'GET', url: '/sdk/v1/flags', access: 'sdkServer' },
  { method: 'GET', url: '/sdk/v1/stream', access: 'sdkServer', stream: true },
  {
    method: 'POST',
    url: '/events/v1/bulk',
    access: 'sdkAny',
    target: () => ({ url: '/events/v1/bulk', body: { events: [] } }),
  },
  {
    method: 'POST',
    url: '/client/v1/evaluate',
    access: 'sdkClient',
    target: () => ({ url: '/client/v1/evaluate', body: { context: { kind: 'user', key: 'u1' } } }),
  },
  {
    method: 'GET',
    url: '/client/v1/evaluate',
    access: 'sdkClient',
    target: () => ({ url: `/client/v1/evaluate?context=${userContext}` }),
  },
  {
    method: 'GET',
    url: '/client/v1/stream',
    access: 'sdkClient',
    stream: true,
    target: () => ({ url: `/client/v1/stream?context=${userContext}` }),
  },
  {
    method: 'POST',
    url: '/ofrep/v1/evaluate/flags/:key',
    access: 'sdkAny',
    target: () => ({ url: '/ofrep/v1/evaluate/flags/f1', body: { context: { targetingKey: 'u1' } } }),
  },
  {
    method: 'POST',
    url: '/ofrep/v1/evaluate/flags',
    access: 'sdkAny',
    target: () => ({ url: '/ofrep/v1/evaluate/flags', body: { context: { targetingKey: 'u1' } } }),
  },
  // CORS preflights carry no credentials by design (see http/cors.ts).
  { method: 'OPTIONS', url: '/client/*', access: 'public', target: () => ({ url: '/client/v1/evaluate' }) },
  { method: 'OPTIONS', url: '/ofrep/*', access: 'public', target: () => ({ url: '/ofrep/v1/evaluate/flags' }) },
  { method: 'OPTIONS', url: '/events/*', access: 'public', target: () => ({ url: '/events/v1/bulk' }) },
  // The dashboard's static files: the pages are public, the API they call is not.
  { method: 'GET', url: '/', access: 'public' },
  { method: 'GET', url: '/*', access: 'public', target: () => ({ url: '/app.js' }) },

  // Projects and environments.
  { method: 'GET', url: '/api/v1/projects', access: 'authenticated' },
  {
    method: 'POST',
    url: '/api/v1/projects',
    access: 'admin',
    target: (_fx, n) => ({ url: '/api/v1/projects', body: { key: `made-${n}`, name: 'Made' } }),
  },
  {
    method: 'GET',
    url: '/api/v1/projects/:project',
    access: 'projectViewer',
    target: alphaUrl('/api/v1/projects/:project'),
  },
  {
    method: 'PATCH',
    url: '/api/v1/projects/:project',
    access: 'projectAdmin',
    target: () => ({ url: '/api/v1/projects/alpha', body: { name: 'Alpha' } }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/projects/:project',
    access: 'admin',
    target: async (fx) => {
      const project = await fx.newProject();
      return { url: `/api/v1/projects/${project.key}`, project };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/projects/:project/environments',
    access: 'projectViewer',
    target: alphaUrl('/api/v1/projects/:project/environments'),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/environments',
    access: 'projectAdmin',
    target: (_fx, n) => ({ url: '/api/v1/projects/alpha/environments', body: { key: `env-${n}`, name: 'Env' } }),
  },
  {
    method: 'GET',
    url: '/api/v1/projects/:project/environments/:environment',
    access: 'projectViewer',
    target: () => ({ url: '/api/v1/projects/alpha/environments/staging' }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/projects/:project/environments/:environment',
    access: 'projectAdmin',
    target: () => ({ url: '/api/v1/projects/alpha/environments/staging', body: { name: 'Staging' } }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/projects/:project/environments/:environment',
    access: 'projectAdmin',
    target: async (fx) => ({ url: `/api/v1/projects/alpha/environments/${await fx.newEnvironment()}` }),
  },

  // Flags.
  {
    method: 'GET',
    url: '/api/v1/projects/:project/flags',
    access: 'projectViewer',
    target: alphaUrl('/api/v1/projects/:project/flags'),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/flags',
    access: 'projectEditor',
    target: (_fx, n) => ({ url: '/api/v1/projects/alpha/flags', body: { key: `flag-${n}`, name: 'Flag' } }),
  },
  {
    method: 'GET',
    url: '/api/v1/projects/:project/flags/:flag',
    access: 'projectViewer',
    target: () => ({ url: '/api/v1/projects/alpha/flags/f1' }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/projects/:project/flags/:flag',
    access: 'projectEditor',
    target: () => ({ url: '/api/v1/projects/alpha/flags/f1', body: { name: 'F1' } }),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/flags/:flag/archive',
    access: 'projectEditor',
    target: () => ({ url: '/api/v1/projects/alpha/flags/arch/archive' }),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/flags/:flag/restore',
    access: 'projectEditor',
    target: () => ({ url: '/api/v1/projects/alpha/flags/arch/restore' }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/projects/:project/flags/:flag',
    access: 'projectEditor',
    target: async (fx) => ({ url: `/api/v1/projects/alpha/flags/${await fx.newFlag(true)}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/projects/:project/flags/:flag/environments/:environment',
    access: 'projectViewer',
    target: () => ({ url: flagEnv }),
  },
  {
    method: 'PUT',
    url: '/api/v1/projects/:project/flags/:flag/environments/:environment',
    access: 'stagingEditor',
    target: () => ({ url: flagEnv, body: { on: false, fallthrough: { variation: 0 } } }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/projects/:project/flags/:flag/environments/:environment',
    access: 'stagingEditor',
    target: () => ({ url: flagEnv, body: { instructions: [{ kind: 'turnFlagOff' }] } }),
  },

  // Segments (in staging).
  {
    method: 'GET',
    url: '/api/v1/projects/:project/environments/:environment/segments',
    access: 'projectViewer',
    target: () => ({ url: segments }),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/environments/:environment/segments',
    access: 'stagingEditor',
    target: (_fx, n) => ({ url: segments, body: { key: `seg-${n}`, name: 'Segment' } }),
  },
  {
    method: 'GET',
    url: '/api/v1/projects/:project/environments/:environment/segments/:segment',
    access: 'projectViewer',
    target: () => ({ url: `${segments}/seg1` }),
  },
  {
    method: 'PUT',
    url: '/api/v1/projects/:project/environments/:environment/segments/:segment',
    access: 'stagingEditor',
    target: () => ({ url: `${segments}/seg1`, body: { name: 'Segment one' } }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/projects/:project/environments/:environment/segments/:segment',
    access: 'stagingEditor',
    target: async (fx) => ({ url: `${segments}/${await fx.newSegment()}` }),
  },

  // Audit log.
  {
    method: 'GET',
    url: '/api/v1/projects/:project/audit',
    access: 'projectViewer',
    target: alphaUrl('/api/v1/projects/:project/audit'),
  },
  { method: 'GET', url: '/api/v1/audit', access: 'admin' },

  // API tokens (scoped to the target project, so its admins may manage them).
  // Metrics: installation-wide callers only (the unscoped viewer token a scraper uses: metrics.test.ts).
  { method: 'GET', url: '/api/v1/metrics', access: 'admin' },
  { method: 'GET', url: '/api/v1/tokens', access: 'tokenManager' },
  {
    method: 'POST',
    url: '/api/v1/tokens',
    access: 'tokenManager',
    target: () => ({ url: '/api/v1/tokens', body: { name: 'matrix', role: 'viewer', project: 'alpha' } }),
  },
  {
    method: 'POST',
    url: '/api/v1/tokens/:id/rotate',
    access: 'tokenManager',
    target: async (fx) => ({ url: `/api/v1/tokens/${await fx.newToken(fx.alpha)}/rotate` }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/tokens/:id',
    access: 'tokenManager',
    target: async (fx) => ({ url: `/api/v1/tokens/${await fx.newToken(fx.alpha)}` }),
  },

  // SDK keys (of production).
  {
    method: 'GET',
    url: '/api/v1/projects/:project/environments/:environment/keys',
    access: 'projectViewer',
    target: () => ({ url: keys }),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/environments/:environment/keys',
    access: 'projectAdmin',
    target: () => ({ url: keys, body: { kind: 'client' } }),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/environments/:environment/keys/:id/rotate',
    access: 'projectAdmin',
    target: async (fx) => ({ url: `${keys}/${await fx.newSdkKey(fx.alpha)}/rotate` }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/projects/:project/environments/:environment/keys/:id',
    access: 'projectAdmin',
    target: async (fx) => ({ url: `${keys}/${await fx.newSdkKey(fx.alpha)}` }),
  },

  // Experiment results: anyone who may read the project.
  {
    method: 'GET',
    url: '/api/v1/projects/:project/flags/:flag/environments/:environment/results',
    access: 'projectViewer',
    target: () => ({ url: `${flagEnv}/results?metric=checkout` }),
  },
  // Webhooks: project admins only (URLs and delivery errors can reveal internal systems).
  {
    method: 'GET',
    url: '/api/v1/projects/:project/webhooks',
    access: 'projectAdmin',
    target: alphaUrl('/api/v1/projects/:project/webhooks'),
  },
  {
    method: 'POST',
    url: '/api/v1/projects/:project/webhooks',
    access: 'projectAdmin',
    target: () => ({
      url: '/api/v1/projects/alpha/webhooks',
      body: { name: 'matrix', url: 'http://127.0.0.1:9/unused', active: false },
    }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/projects/:project/webhooks/:id',
    access: 'projectAdmin',
    target: async (fx) => ({
      url: `/api/v1/projects/alpha/webhooks/${await fx.newWebhook(fx.alpha)}`,
      body: { name: 'renamed' },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/projects/:project/webhooks/:id',
    access: 'projectAdmin',
    target: async (fx) => ({ url: `/api/v1/projects/alpha/webhooks/${await fx.newWebhook(fx.alpha)}` }),
  },
  {
    method: 'GET',
    url: '/api/v1/projects/:project/webhooks/:id/deliveries',
    access: 'projectAdmin',
    target: async (fx) => ({ url: `/api/v1/projects/alpha/webhooks/${await fx.newWebhook(fx.alpha)}/deliveries` }),
  },

  // Users and memberships.
  { method: 'GET', url: '/api/v1/users', access: 'admin' },
  {
    method: 'POST',
    url: '/api/v1/users',
    access: 'admin',
    target: (_fx, n) => ({
      url: '/api/v1/users',
      body: { email: `made-${n}@matrix.local`, name: 'Made', password: 'a password of length' },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/users/:id',
    access: 'admin',
    target: (fx) => ({ url: `/api/v1/users/${fx.targetUserId}` }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/users/:id',
    access: 'admin',
    target: (fx) => ({ url: `/api/v1/users/${fx.targetUserId}`, body: { name: 'Target' } }),
  },
  {
    method: 'PUT',
    url: '/api/v1/users/:id/memberships/:project',
    access: 'admin',
    target: (fx) => ({ url: `/api/v1/users/${fx.targetUserId}/memberships/alpha`, body: { role: 'viewer' } }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/users/:id/memberships/:project',
    access: 'admin',
    target: async (fx) => {
      await fx.s.db.query(
        `INSERT INTO memberships (user_id, project_id, role) VALUES ($1, $2, 'viewer') ON CONFLICT DO NOTHING`,
        [fx.targetUserId, fx.alpha.id],
      );
      return { url: `/api/v1/users/${fx.targetUserId}/memberships/alpha` };
    },
  },

  // The caller's own session.
  { method: 'GET', url: '/api/v1/session', access: 'authenticated' },
  { method: 'DELETE', url: '/api/v1/session', access: 'authenticated', freshCredentials: true },
  {
    method: 'POST',
    url: '/api/v1/session/password',
    access: 'sessionUser',
    // A wrong current password: the call gets through authorization and changes nothing.
    target: () => ({
      url: '/api/v1/session/password',
      body: { currentPassword: 'not the current one', newPassword: 'a new password, long' },
    }),
  },
];

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const routeId = (method: string, url: string) => `${method} ${url}`;

/** What a caller must get from a route: through (anything but 401/403), or refused with a status and code. */
function expected(
  route: RouteCase,
  method: string,
  who: PrincipalName,
): { pass: true } | { status: number; code: string } {
  const access = ACCESS[route.access];
  if (access === 'everyone') return { pass: true };
  if (route.access.startsWith('sdk')) {
    // The data plane knows SDK credentials only: API tokens and sessions are unknown there.
    if ((access as readonly string[]).includes(who)) return { pass: true };
    // The other kind of SDK credential is valid, just not for this route.
    return who === 'SDK server key' || who === 'SDK client ID'
      ? { status: 403, code: 'forbidden' }
      : { status: 401, code: 'unauthenticated' };
  }
  if ((INVALID as readonly string[]).includes(who)) return { status: 401, code: 'unauthenticated' };
  // CSRF is checked while authenticating, before any role.
  if (who === 'editor session without CSRF' && !SAFE.has(method)) return { status: 403, code: 'csrf_failed' };
  return (access as readonly string[]).includes(who) ? { pass: true } : { status: 403, code: 'forbidden' };
}

for (const kind of await storeKinds()) {
  describe(`authorization matrix on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let fx: Fixture;
    let port: number;
    let counter = 0;
    const cache = new Map<string, Record<string, string>>();

    before(async () => {
      s = await startTestServer(kind);
      await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
      port = (s.vexil.http.server.address() as AddressInfo).port;
      const ok = async (method: string, url: string, body?: unknown) => {
        const res = await s.call(method, url, body === undefined ? {} : { body });
        assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      };
      const projectRef = async (key: string): Promise<ProjectRef> => {
        const rows = await s.db.query<{ pid: string; eid: string; ekey: string }>(
          'SELECT p.id AS pid, e.id AS eid, e.key AS ekey FROM projects p JOIN environments e ON e.project_id = p.id WHERE p.key = $1',
          [key],
        );
        const env = (k: string) => rows.find((r) => r.ekey === k)?.eid as string;
        return { id: rows[0]?.pid as string, key, production: env('production'), staging: env('staging') };
      };
      await ok('POST', '/api/v1/projects', { key: 'alpha', name: 'Alpha' });
      await ok('POST', '/api/v1/projects', { key: 'beta', name: 'Beta' });
      await ok('POST', '/api/v1/projects/alpha/flags', { key: 'f1', name: 'F1' });
      await ok('POST', '/api/v1/projects/alpha/flags', { key: 'arch', name: 'Archived and restored' });
      await ok('POST', `${segments}`, { key: 'seg1', name: 'Segment one' });
      const member = await ok('POST', '/api/v1/users', { email: 'member@matrix.local', name: 'Member' });
      const target = await ok('POST', '/api/v1/users', { email: 'target@matrix.local', name: 'Target' });
      const [adminUser] = await s.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [s.adminEmail]);
      let made = 0;
      fx = {
        s,
        alpha: await projectRef('alpha'),
        beta: await projectRef('beta'),
        adminUserId: adminUser?.id as string,
        memberUserId: member.user.id,
        targetUserId: target.user.id,
        newProject: async () => {
          const key = `doomed-${++made}`;
          await ok('POST', '/api/v1/projects', { key, name: 'Doomed' });
          return projectRef(key);
        },
        newFlag: async (archived) => {
          const key = `tmp-flag-${++made}`;
          await ok('POST', '/api/v1/projects/alpha/flags', { key, name: 'Temporary' });
          if (archived) await ok('POST', `/api/v1/projects/alpha/flags/${key}/archive`);
          return key;
        },
        newSegment: async () => {
          const key = `tmp-seg-${++made}`;
          await ok('POST', segments, { key, name: 'Temporary' });
          return key;
        },
        newEnvironment: async () => {
          const key = `tmp-env-${++made}`;
          await ok('POST', '/api/v1/projects/alpha/environments', { key, name: 'Temporary' });
          return key;
        },
        newToken: async (project) =>
          (await ok('POST', '/api/v1/tokens', { name: 'temporary', role: 'viewer', project: project.key })).id,
        newSdkKey: async (project) =>
          (await ok('POST', `/api/v1/projects/${project.key}/environments/production/keys`, { kind: 'server' })).id,
        newWebhook: async (project) =>
          (
            await ok('POST', `/api/v1/projects/${project.key}/webhooks`, {
              name: 'matrix',
              url: 'http://127.0.0.1:9/unused',
              active: false,
            })
          ).id,
      };
    });

    after(async () => {
      await s?.close();
    });

    /** Credentials straight into the store: fast, and independent of the routes under test. */
    const insertToken = async (role: string, project: ProjectRef | null, env: string | null, state = '') => {
      const secret = newSecret(PREFIX.apiToken);
      await s.db.query(
        `INSERT INTO api_tokens (id, name, role, project_id, environment_id, secret_hash, hint, created_by, expires_at, revoked_at)
         VALUES ($1, 'matrix', $2, $3, $4, $5, 'vxa_…', 'matrix', $6, $7)`,
        [
          `matrix-${++counter}`,
          role,
          project?.id ?? null,
          env,
          hashSecret(secret),
          state === 'expired' ? new Date(Date.now() - 60_000) : null,
          state === 'revoked' ? new Date() : null,
        ],
      );
      return { authorization: `Bearer ${secret}` };
    };
    const insertSession = async (userId: string, opts: { csrf: boolean; expired?: boolean }) => {
      const secret = newSecret(PREFIX.session);
      const csrf = newSecret('');
      await s.db.query('INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)', [
        hashSecret(secret),
        userId,
        csrf,
        new Date(Date.now() + (opts.expired ? -60_000 : 3_600_000)),
      ]);
      return { cookie: `vexil_session=${secret}`, ...(opts.csrf ? { 'x-csrf-token': csrf } : {}) };
    };
    const insertSdkKey = async (project: ProjectRef, kindOf: 'server' | 'client') => {
      const secret = newSecret(kindOf === 'server' ? PREFIX.serverKey : PREFIX.clientId);
      await s.db.query(
        'INSERT INTO sdk_keys (id, environment_id, kind, secret_hash, public_id, hint) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          `matrix-${++counter}`,
          project.production,
          kindOf,
          kindOf === 'server' ? hashSecret(secret) : null,
          kindOf === 'client' ? secret : null,
          'hint',
        ],
      );
      return { authorization: `Bearer ${secret}` };
    };

    async function makeCredentials(who: PrincipalName, project: ProjectRef): Promise<Record<string, string>> {
      switch (who) {
        case 'none':
          return {};
        case 'malformed header':
          return { authorization: 'Basic YWRtaW46cGFzc3dvcmQ=' };
        case 'unknown token':
          return { authorization: `Bearer ${newSecret(PREFIX.apiToken)}` };
        case 'revoked token':
          return insertToken('admin', null, null, 'revoked');
        case 'expired token':
          return insertToken('admin', null, null, 'expired');
        case 'expired session':
          return insertSession(fx.adminUserId, { csrf: true, expired: true });
        case 'SDK server key':
          return insertSdkKey(project, 'server');
        case 'SDK client ID':
          return insertSdkKey(project, 'client');
        case 'admin token':
          return insertToken('admin', null, null);
        case 'project admin token':
          return insertToken('admin', project, null);
        case 'viewer token':
          return insertToken('viewer', project, null);
        case 'editor token':
          return insertToken('editor', project, null);
        case 'staging editor token':
          return insertToken('editor', project, project.staging);
        case 'other-project editor token':
          return insertToken('editor', fx.beta, null);
        case 'admin session':
          return insertSession(fx.adminUserId, { csrf: true });
        case 'editor session':
        case 'editor session without CSRF':
          await s.db.query(
            `INSERT INTO memberships (user_id, project_id, role) VALUES ($1, $2, 'editor') ON CONFLICT DO NOTHING`,
            [fx.memberUserId, project.id],
          );
          return insertSession(fx.memberUserId, { csrf: who === 'editor session' });
      }
    }

    const credentials = async (who: PrincipalName, project: ProjectRef, fresh: boolean) => {
      const key = `${who}|${project.id}`;
      if (fresh) return makeCredentials(who, project);
      let headers = cache.get(key);
      if (!headers) {
        headers = await makeCredentials(who, project);
        cache.set(key, headers);
      }
      return headers;
    };

    /**
     * A streaming route over a real socket: the status line and, for errors, the problem document.
     * Refusals answer at once; a stream that has not answered within the window got past
     * authentication and authorization (status 0 here, counted as "through").
     */
    const overSocket = (method: string, url: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: { code?: string } | undefined }>((resolve, reject) => {
        const timer = setTimeout(() => {
          resolve({ status: 0, body: undefined });
          req.destroy();
        }, 2000);
        const req = httpRequest({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status === 200) {
            resolve({ status, body: undefined });
            req.destroy();
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status, body: text ? JSON.parse(text) : undefined }));
        });
        req.on('error', (err) => {
          clearTimeout(timer);
          if (!req.destroyed) reject(err);
        });
        req.end();
      });

    async function call(route: RouteCase, method: string, who: PrincipalName) {
      const target: Target = (await route.target?.(fx, ++counter)) ?? { url: route.url };
      const headers = { ...(await credentials(who, target.project ?? fx.alpha, route.freshCredentials === true)) };
      if (route.stream) return overSocket(method, target.url, headers);
      return s.call(method, target.url, {
        token: null,
        headers,
        ...(target.body === undefined || method === 'HEAD' ? {} : { body: target.body }),
      });
    }

    test('the matrix lists every registered route, and only those', () => {
      const registered = new Map(s.vexil.routes.map((r) => [routeId(r.method, r.url), r]));
      const listed = new Set(ROUTES.map((r) => routeId(r.method, r.url)));
      const missing = [...registered.values()]
        .filter((r) => !listed.has(routeId(r.method, r.url)))
        // Fastify answers HEAD with the GET handler; each GET row is called with HEAD as well.
        .filter((r) => !(r.method === 'HEAD' && listed.has(routeId('GET', r.url))))
        .map((r) => routeId(r.method, r.url));
      assert.deepEqual(missing, [], `routes without a row in the authorization matrix: ${missing.join(', ')}`);
      const stale = [...listed].filter((id) => !registered.has(id));
      assert.deepEqual(stale, [], `matrix rows for routes that do not exist: ${stale.join(', ')}`);
      for (const r of ROUTES) {
        const declaredPublic = registered.get(routeId(r.method, r.url))?.public === true;
        // Outside /api/ nothing authenticates, so those routes are public or check their own credentials.
        if (r.url.startsWith('/api/'))
          assert.equal(
            declaredPublic,
            r.access === 'public',
            `${routeId(r.method, r.url)} is public in one place only`,
          );
      }
    });

    for (const route of ROUTES) {
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      test(`${route.method} ${route.url} — ${route.access}`, async (t) => {
        const wrong: string[] = [];
        for (const method of methods)
          for (const who of PRINCIPALS) {
            const res = await call(route, method, who);
            if (res.status === 0)
              t.diagnostic(`${method} ${route.url} as ${who}: no response within 2 s (not refused)`);
            const want = expected(route, method, who);
            const got = `${res.status}${res.body?.code ? ` ${res.body.code}` : ''}`;
            if ('pass' in want) {
              if (res.status === 401 || res.status === 403 || res.status >= 500)
                wrong.push(`${method} ${who}: want through, got ${got}`);
            } else if (res.status !== want.status || (method !== 'HEAD' && res.body?.code !== want.code)) {
              wrong.push(`${method} ${who}: want ${want.status} ${want.code}, got ${got}`);
            }
          }
        assert.deepEqual(wrong, []);
      });
    }
  });
}
