import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createVexil, type Vexil } from '../src/app.js';
import { bootstrapIfEmpty } from '../src/bootstrap.js';
import { loadSnapshot } from '../src/dataplane/load-snapshot.js';
import type { EnvironmentSnapshot } from '../src/dataplane/messages.js';
import { redisBus } from '../src/dataplane/redis-bus.js';
import { redisCache } from '../src/dataplane/snapshot-cache.js';
import type { SqlClient } from '../src/infra/sql/client.js';
import { StoreUnavailableError } from '../src/infra/sql/errors.js';
import { openPostgres } from '../src/infra/sql/postgres.js';
import { SdkMirror } from './fixtures/sdk-mirror.js';
import {
  type PostgresService,
  type RedisService,
  ServiceUnavailable,
  startPostgres,
  startRedis,
} from './fixtures/services.js';
import { startVexilNode, type VexilNode } from './fixtures/vexil-node.js';

/**
 * Faults of a multi-node deployment, on a private redis-server and PostgreSQL (started here on
 * free loopback ports and killed here; the machine's shared services are never touched):
 * stream nodes are the real `vexil --role stream` program in child processes, the api node runs
 * in this process (its publisher and pool are then observable), SDK clients are SdkMirrors that
 * rebuild the environment from put/patch/delete and reconnect to the next node with Last-Event-ID.
 * After every fault, each client's state must equal the store's snapshot, with no change missing,
 * repeated or out of order.
 */

let redis: RedisService | undefined;
let postgres: PostgresService | undefined;
let skip: string | undefined;
try {
  redis = await startRedis();
  postgres = await startPostgres();
} catch (err) {
  if (!(err instanceof ServiceUnavailable)) throw err;
  skip = `private Redis/PostgreSQL unavailable: ${err.message.split('\n')[0]}`;
  await redis?.dispose();
  redis = undefined;
}
if (!skip && !existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)))) {
  skip = 'packages/server/dist/main.js is missing: build first (npm run build)';
}
if (skip) console.log(`# fault-tolerance: skipped: ${skip}`);

const base = '/api/v1/projects/default';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('fault tolerance of a multi-node deployment (private Redis and PostgreSQL)', { skip }, () => {
  // Both started above: the suite is skipped when they could not be.
  const R = () => redis as RedisService;
  const P = () => postgres as PostgresService;
  let api: Vexil;
  let apiUrl: string;
  let adminToken: string;
  let serverKey: string;
  let environmentId: string;
  /** The long-lived stream node most scenarios connect to. */
  let stream: VexilNode;
  const nodes: VexilNode[] = [];
  const mirrors: SdkMirror[] = [];
  const nodeEnv = () => ({ DATABASE_URL: P().url, REDIS_URL: R().url });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, body: json as Record<string, unknown> };
  };

  /** One change of the production environment, cycling through every kind an SDK sees. */
  let n = 0;
  const change = async () => {
    const i = n++;
    const flag = `f${i - (i % 4)}`;
    let res: Awaited<ReturnType<typeof call>>;
    switch (i % 4) {
      case 0: // a new flag: a patch
        res = await call('POST', `${base}/flags`, { key: flag, name: `Flag ${i}` });
        break;
      case 1: // targeting: a patch
        res = await call('PATCH', `${base}/flags/${flag}/environments/production`, {
          instructions: [{ kind: 'turnFlagOn' }],
        });
        break;
      case 2: // a segment: a patch of kind segment
        res = await call('POST', `${base}/environments/production/segments`, {
          key: `s${i}`,
          name: `Segment ${i}`,
          included: [{ values: [`u${i}`] }],
        });
        break;
      default: // archiving: a delete
        res = await call('POST', `${base}/flags/${flag}/archive`, {});
        break;
    }
    assert.ok(res.status === 200 || res.status === 201, `change ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };

  const storeSnapshot = async (): Promise<EnvironmentSnapshot> => {
    const s = await loadSnapshot(api.db, environmentId);
    assert.ok(s);
    return plain(s);
  };

  const mirror = (lb: () => string[]) => {
    const m = new SdkMirror(lb, serverKey);
    mirrors.push(m);
    return m;
  };

  /** Every mirror reaches the store's sequence, holds exactly the store's state, and saw no violation. */
  const assertConverged = async (ms: SdkMirror[], label: string, timeoutMs = 15_000) => {
    const want = await storeSnapshot();
    for (const m of ms) await m.waitForSeq(want.seq, timeoutMs);
    await sleep(100); // anything arriving late would be a repeat: let it show up as a violation
    for (const [i, m] of ms.entries()) {
      assert.deepEqual(m.violations, [], `${label}: mirror ${i} saw violations`);
      assert.deepEqual(plain(m.state), want, `${label}: mirror ${i} state differs from the store's`);
    }
    return want;
  };

  const unpublished = async () => {
    const [row] = await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
    return row?.n ?? -1;
  };

  /** Closes whatever a node was given, also when createVexil itself failed (ioredis would otherwise reconnect forever). */
  const teardown: (() => Promise<void>)[] = [];
  const inProcessNode = async (role: 'api' | 'stream', max: number) => {
    const db = await openPostgres({ url: P().url, max });
    const bus = await redisBus(R().url);
    const cache = await redisCache(R().url);
    const close = async () => {
      await Promise.allSettled([bus.close(), cache.close(), db.close()]);
    };
    try {
      const vexil = await createVexil({ db, role, bus, cache });
      let stopped: Promise<void> | undefined;
      const stop = () => {
        stopped ??= vexil.close().catch(close);
        return stopped;
      };
      teardown.push(stop);
      return { vexil, stop };
    } catch (err) {
      await close();
      throw err;
    }
  };

  before(async () => {
    api = (await inProcessNode('api', 5)).vexil;
    const db = api.db;
    const first = await bootstrapIfEmpty(db, api.projects, {
      adminEmail: 'admin@test.local',
      adminPassword: 'correct horse battery staple',
    });
    assert.ok(first);
    adminToken = first.adminToken;
    await api.http.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(api.http.server.address() as net.AddressInfo).port}`;
    const key = await call('POST', `${base}/environments/production/keys`, { kind: 'server' });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    serverKey = key.body.key as string;
    const [env] = await db.query<{ id: string }>(
      "SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id WHERE p.key = 'default' AND e.key = 'production'",
    );
    environmentId = (env as { id: string }).id;
    for (let i = 0; i < 4; i++) await change();
    stream = await startVexilNode('stream', nodeEnv());
    nodes.push(stream);
  });

  after(async () => {
    for (const m of mirrors) m.close();
    await Promise.all(nodes.map((x) => x.kill()));
    for (const stop of teardown) await stop();
    await redis?.dispose();
    await postgres?.dispose();
  });

  test('a stream node killed mid-stream: its clients resume on another node and miss nothing', {
    timeout: 60_000,
  }, async () => {
    const started = performance.now();
    /** Clients on a node that is SIGKILLed while changes flow; the load balancer's next node is `stream`. */
    const killMidStream = async (label: string) => {
      const doomed = await startVexilNode('stream', nodeEnv());
      nodes.push(doomed);
      const pool = () => [doomed.url, stream.url];
      const clients = [mirror(pool), mirror(pool), mirror(pool)];
      await assertConverged(clients, `${label}: before the kill`);
      assert.ok(clients.every((c) => c.node === doomed.url));
      for (let i = 0; i < 5; i++) await change();
      // Killed right after a commit is acknowledged, while that change is being published.
      await doomed.kill('SIGKILL');
      for (let i = 0; i < 5; i++) await change();
      await assertConverged(clients, `${label}: after the kill`);
      for (const c of clients) {
        assert.equal(c.node, stream.url, 'resumed on the surviving node');
        const resumed = c.connections.find((x) => x.node === stream.url && x.status === 200);
        assert.ok(resumed?.lastEventId !== undefined, 'reconnected with Last-Event-ID');
      }
      // And they keep receiving from there.
      await change();
      await assertConverged(clients, `${label}: one more change`);
      for (const c of clients) c.close();
      // How each client resumed: the first event the survivor sent it.
      return clients.map((c) => c.received.find((e) => e.node === stream.url)?.event);
    };
    // The survivor has never served this environment: it loads it and (unless the client is
    // exactly at the loaded sequence) sends a put.
    const cold = await killMidStream('cold survivor');
    // Now it holds the environment and its recent changes: clients resume exactly, with the
    // patches they missed and no put.
    const watcher = mirror(() => [stream.url]);
    const warm = await killMidStream('warm survivor');
    assert.ok(
      warm.every((e) => e === 'patch' || e === 'delete'),
      `resumed from the survivor's history: ${warm.join(',')}`,
    );
    await assertConverged([watcher], 'a client of the survivor');
    watcher.close();
    console.log(
      `# kill: ${Math.round(performance.now() - started)} ms for two kills; resumed with ${cold.join(',')} (cold survivor), ${warm.join(',')} (warm)`,
    );
  });

  test('an acknowledged change survives a PostgreSQL crash before it was published', { timeout: 60_000 }, async () => {
    const started = performance.now();
    const clients = [mirror(() => [stream.url])];
    await assertConverged(clients, 'before');
    await R().kill(); // nothing can be published: the change stays in the outbox
    const acked = await call('POST', `${base}/flags`, { key: 'durable', name: 'Acknowledged, unpublished' });
    assert.equal(acked.status, 201);
    assert.ok((await unpublished()) >= 1);
    await P().kill(); // immediate shutdown: no checkpoint, recovery from the WAL on start
    await P().start();
    await R().restart();
    const want = await assertConverged(clients, 'after both returned');
    assert.ok(want.flags.durable, 'in the store and at every client');
    console.log(`# durable outbox: ${Math.round(performance.now() - started)} ms`);
    for (const c of clients) c.close();
  });

  test('Redis restarted: changes committed meanwhile arrive afterwards, in order', { timeout: 60_000 }, async () => {
    const started = performance.now();
    const clients = [mirror(() => [stream.url]), mirror(() => [stream.url])];
    const before = await assertConverged(clients, 'before the restart');

    await R().kill();
    const failuresBefore = api.publisher?.stats.failures ?? 0;
    for (let i = 0; i < 3; i++) await change();
    assert.ok((await unpublished()) >= 3, 'the three changes wait in the outbox');
    await sleep(300);
    assert.ok((api.publisher?.stats.failures ?? 0) > failuresBefore, 'the publisher tried and failed');
    // Streams stay open. (Nothing reaches them through the bus; the stream node's periodic store
    // check may already bring them the new state as a put, which the mirrors check like any event.)
    assert.ok(
      clients.every((c) => c.connected),
      'streams stay open',
    );

    await R().restart();
    const want = await assertConverged(clients, 'after Redis returned');
    assert.equal(want.seq, before.seq + 3);
    for (const c of clients) {
      const after = c.received.filter((e) => e.id > before.seq);
      for (let i = 1; i < after.length; i++)
        assert.ok((after[i]?.id ?? 0) > (after[i - 1]?.id ?? 0), 'ids strictly increase');
    }
    for (let t = 0; (await unpublished()) > 0 && t < 100; t++) await sleep(50);
    assert.equal(await unpublished(), 0, 'the outbox drained');
    // The stream node's subscription is back (with the api node's, two subscribers): the next change arrives as a patch.
    const probe = new Redis(R().url);
    try {
      for (let t = 0; t < 100; t++) {
        const [, subscribers] = (await probe.pubsub('NUMSUB', 'vexil:changes')) as [string, number];
        if (subscribers >= 2) break;
        await sleep(50);
      }
    } finally {
      probe.disconnect();
    }
    await change();
    const last = await assertConverged(clients, 'a change after the restart');
    for (const c of clients)
      assert.equal(c.received.at(-1)?.event === 'put' ? 'put' : 'live', 'live', `seq ${last.seq} came live`);
    const how = clients.map((c) =>
      c.received
        .filter((e) => e.id > before.seq && e.id <= want.seq)
        .map((e) => `${e.event}:${e.id}`)
        .join(' '),
    );
    console.log(
      `# redis restart: converged in ${Math.round(performance.now() - started)} ms; arrived as ${how.join(' | ')}`,
    );
    for (const c of clients) c.close();
  });

  test('PostgreSQL unreachable: streams keep serving, writes answer 503 with Retry-After, nothing acknowledged is lost', {
    timeout: 60_000,
  }, async () => {
    const started = performance.now();
    const clients = [mirror(() => [stream.url]), mirror(() => [stream.url])];
    await assertConverged(clients, 'before the outage');
    const get = (headers: Record<string, string> = {}) =>
      fetch(`${stream.url}/sdk/v1/flags`, { headers: { authorization: serverKey, ...headers } });
    await get(); // the node has verified this key recently

    // Acknowledged, then the store dies at once (immediate shutdown) — maybe before it was published.
    const acked = await call('POST', `${base}/flags`, { key: 'acked-before-crash', name: 'Acknowledged' });
    assert.equal(acked.status, 201);
    await P().kill();
    const down = performance.now();

    // The stream node serves what it has: the snapshot, its ETag, 304s, existing and new streams.
    await sleep(300);
    const held = clients[0]?.lastId as number;
    const snap = await get();
    assert.equal(snap.status, 200);
    const etag = snap.headers.get('etag');
    assert.equal(etag, `"${environmentId}.${held}"`);
    assert.equal((await get({ 'if-none-match': etag as string })).status, 304);
    const late = mirror(() => [stream.url]);
    for (let t = 0; late.lastId === undefined && t < 100; t++) await sleep(20);
    assert.equal(late.received[0]?.event, 'put', 'a new stream with a known key gets a put');
    assert.equal(late.lastId, held);

    // An SDK key the node never saw cannot be checked: 503, not 500.
    const unknown = await fetch(`${stream.url}/sdk/v1/flags`, {
      headers: { authorization: 'vxs_neverseenbefore0000000000000000' },
    });
    assert.equal(unknown.status, 503);
    assert.ok(unknown.headers.get('retry-after'));

    // Writes (and reads) through the api node: 503 problem+json with Retry-After.
    const ghost = await call('POST', `${base}/flags`, { key: 'ghost', name: 'Never acknowledged' });
    const toggle = await call('PATCH', `${base}/flags/f0/environments/production`, {
      instructions: [{ kind: 'turnFlagOff' }],
    });
    for (const r of [ghost, toggle, await call('GET', `${base}/flags`)]) {
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After');
      assert.equal(r.body.code, 'store_unavailable');
    }

    // Outlast the stream node's periodic store check (5 s): streams stay open, nothing is sent.
    while (performance.now() - down < 5_500) await sleep(100);
    for (const c of [...clients, late]) {
      assert.ok(c.connected, 'stream still open');
      assert.equal(c.lastId, held);
    }
    assert.equal(stream.exitCode, null, 'the stream node survived');

    await P().start();
    const back = performance.now();
    let write = await call('POST', `${base}/flags`, { key: 'after-outage', name: 'After' });
    for (let t = 0; write.status === 503 && t < 50; t++) {
      await sleep(100);
      write = await call('POST', `${base}/flags`, { key: 'after-outage', name: 'After' });
    }
    assert.equal(write.status, 201, JSON.stringify(write.body));
    const writableMs = Math.round(performance.now() - back);
    assert.equal((await call('GET', `${base}/flags/ghost`)).status, 404, 'the refused write left no trace');
    const want = await assertConverged([...clients, late], 'after PostgreSQL returned');
    assert.ok(
      want.flags['acked-before-crash'],
      'the change acknowledged before the crash survived and reached every client',
    );
    console.log(
      `# postgres outage: writable ${writableMs} ms after restart; converged ${Math.round(performance.now() - back)} ms after; total ${Math.round(performance.now() - started)} ms`,
    );
    for (const c of [...clients, late]) c.close();
  });

  test('a stream node started cold takes the snapshot from the Redis cache when the store cannot answer', {
    timeout: 60_000,
  }, async () => {
    const started = performance.now();
    const want = await storeSnapshot();
    // The nodes that serve the environment keep the shared cache at the store's sequence.
    const probe = new Redis(R().url);
    let cached: EnvironmentSnapshot | undefined;
    try {
      for (let t = 0; t < 100; t++) {
        const json = await probe.hget(`vexil:snapshot:${environmentId}`, 'json');
        cached = json ? (JSON.parse(json) as EnvironmentSnapshot) : undefined;
        if (cached?.seq === want.seq) break;
        await sleep(50);
      }
    } finally {
      probe.disconnect();
    }
    assert.equal(cached?.seq, want.seq, 'the cache caught up with the store');

    const { vexil: cold, stop } = await inProcessNode('stream', 2);
    try {
      await cold.http.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(cold.http.server.address() as net.AddressInfo).port}`;
      await P().kill();
      const feed = await cold.hub?.feed(environmentId);
      assert.ok(feed, 'the environment is served from the cache');
      assert.deepEqual(plain(feed.snapshot()), want);
      // The key itself cannot be verified by a node that never saw it: 503 until the store returns.
      const refused = await fetch(`${url}/sdk/v1/flags`, { headers: { authorization: serverKey } });
      assert.equal(refused.status, 503);
      assert.ok(refused.headers.get('retry-after'));
      await P().start();
      let res = await fetch(`${url}/sdk/v1/flags`, { headers: { authorization: serverKey } });
      for (let t = 0; res.status === 503 && t < 50; t++) {
        await sleep(100);
        res = await fetch(`${url}/sdk/v1/flags`, { headers: { authorization: serverKey } });
      }
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('etag'), `"${environmentId}.${want.seq}"`);
      assert.deepEqual(await res.json(), want);
    } finally {
      await stop();
    }
    console.log(`# cold start: ${Math.round(performance.now() - started)} ms`);
  });

  test('vexil --role stream started while PostgreSQL is down serves, from Redis, the SDKs other nodes admitted', {
    timeout: 60_000,
  }, async () => {
    const sharedKey = (secret: string) => `vexil:credential:${createHash('sha256').update(secret).digest('hex')}`;
    const probe = new Redis(R().url);
    const newKey = async () => {
      const k = await call('POST', `${base}/environments/production/keys`, { kind: 'server' });
      assert.equal(k.status, 201, JSON.stringify(k.body));
      const secret = k.body.key as string;
      // A node that verified it against the store shares it.
      assert.equal((await fetch(`${stream.url}/sdk/v1/flags`, { headers: { authorization: secret } })).status, 200);
      for (let t = 0; !(await probe.exists(sharedKey(secret))) && t < 100; t++) await sleep(20);
      assert.equal(await probe.exists(sharedKey(secret)), 1, 'the verified key is shared');
      return { secret, id: k.body.id as string };
    };
    try {
      const admitted = await newKey();
      const revoked = await newKey();
      assert.equal((await call('DELETE', `${base}/environments/production/keys/${revoked.id}`)).status, 204);
      const stored = await probe.get(sharedKey(admitted.secret));
      assert.ok(
        stored && !stored.includes(admitted.secret),
        'Redis holds the hash and the credential id, never the secret',
      );
      const want = await storeSnapshot();
      for (let t = 0; t < 100; t++) {
        const json = await probe.hget(`vexil:snapshot:${environmentId}`, 'json');
        if (json && (JSON.parse(json) as EnvironmentSnapshot).seq === want.seq) break;
        await sleep(50);
      }

      await P().kill();
      const cold = await startVexilNode('stream', nodeEnv());
      nodes.push(cold);
      assert.match(cold.output(), /store unreachable at start/);
      const get = (secret: string) => fetch(`${cold.url}/sdk/v1/flags`, { headers: { authorization: secret } });
      const res = await get(admitted.secret);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), want);
      const sdk = new SdkMirror(() => [cold.url], admitted.secret);
      mirrors.push(sdk);
      for (let t = 0; sdk.lastId === undefined && t < 100; t++) await sleep(20);
      assert.equal(sdk.lastId, want.seq, 'a stream opens with the cached snapshot');
      // Revoked before the outage, or never verified by anyone: not admitted.
      for (const secret of [revoked.secret, 'vxs_neverseenbefore0000000000000000']) {
        const refused = await get(secret);
        assert.equal(refused.status, 503, secret === revoked.secret ? 'revoked key' : 'unknown key');
        assert.ok(refused.headers.get('retry-after'));
      }

      await P().start();
      let write = await call('POST', `${base}/flags`, { key: 'after-cold-start', name: 'After' });
      for (let t = 0; write.status === 503 && t < 50; t++) {
        await sleep(100);
        write = await call('POST', `${base}/flags`, { key: 'after-cold-start', name: 'After' });
      }
      assert.equal(write.status, 201, JSON.stringify(write.body));
      const after = await assertConverged([sdk], 'the node started during the outage, after it');
      assert.ok(after.flags['after-cold-start']);
      sdk.close();
    } finally {
      probe.disconnect();
    }
  });

  test('a pool connection lost inside a transaction fails that transaction only (no crash)', {
    timeout: 30_000,
  }, async () => {
    const db: SqlClient = await openPostgres({ url: P().url, max: 2 });
    try {
      const outcome = db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        // The server dies while this connection is checked out and idle between two queries.
        await P().kill();
        await sleep(200);
        await tx.query('SELECT 2');
      });
      await assert.rejects(outcome, StoreUnavailableError);
      await P().start();
      let ok: unknown;
      for (let t = 0; ok === undefined && t < 50; t++) ok = await db.query('SELECT 1 AS one').catch(() => sleep(100));
      assert.deepEqual(ok, [{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  test('vexil --role api and --role stream from the CLI: started together on an empty database', {
    timeout: 60_000,
  }, async () => {
    const started = performance.now();
    const admin = new pg.Client({ connectionString: P().url });
    await admin.connect();
    await admin.query('CREATE DATABASE fresh');
    await admin.end();
    const env = {
      ...nodeEnv(),
      DATABASE_URL: P().url.replace(/\/postgres$/, '/fresh'),
      VEXIL_ADMIN_PASSWORD: 'a long enough password',
    };
    const [apiNode, streamNode] = await Promise.all([startVexilNode('api', env), startVexilNode('stream', env)]);
    nodes.push(apiNode, streamNode);
    assert.match(apiNode.output(), /role api/);
    assert.match(streamNode.output(), /role stream/);
    assert.doesNotMatch(streamNode.output(), /First start/, 'a stream node creates no administrator');
    // The first-start credentials follow the ready line.
    for (let t = 0; !apiNode.output().includes('Try: curl') && t < 100; t++) await sleep(20);
    const token = /API token\s+(vxa_\w+)/.exec(apiNode.output())?.[1];
    assert.ok(token, apiNode.output());
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const key = await fetch(`${apiNode.url}${base}/environments/production/keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ kind: 'server' }),
    });
    assert.equal(key.status, 201);
    const sdkKey = ((await key.json()) as { key: string }).key;
    assert.equal(
      (await fetch(`${apiNode.url}/sdk/v1/flags`, { headers: { authorization: sdkKey } })).status,
      404,
      'an api node serves no SDK endpoints',
    );
    const m = new SdkMirror(() => [streamNode.url], sdkKey);
    mirrors.push(m);
    for (let t = 0; m.lastId === undefined && t < 250; t++) await sleep(20);
    assert.equal(m.received[0]?.event, 'put');
    const seq = m.lastId as number;
    const created = await fetch(`${apiNode.url}${base}/flags`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ key: 'cli', name: 'CLI' }),
    });
    assert.equal(created.status, 201);
    await m.waitForSeq(seq + 1);
    assert.ok(m.state?.flags.cli, 'the change reached the stream node through Redis');
    assert.deepEqual(m.violations, []);
    m.close();
    console.log(`# cli: ${Math.round(performance.now() - started)} ms`);
  });
});
