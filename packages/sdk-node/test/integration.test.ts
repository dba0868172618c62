/**
 * Against a real Vexil server started in the test (embedded store): an API change reaches the
 * SDK's listener (latency measured), analytics reach POST /events/v1/bulk and its table, and the
 * server is stopped and restarted on the same store: the SDK serves its last flags at level 2
 * (a new process too, from the cache file), then resumes streaming at level 0.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createVexil, type Vexil } from '../../server/src/app.js';
import type { SqlClient } from '../../server/src/infra/sql/client.js';
import { type StoreKind, startTestServer, storeKinds, type TestServer } from '../../server/test/harness.js';
import { type FlagChange, init, silentLogger, type VexilClient, type VexilOptions } from '../src/index.js';
import { waitFor } from './fake-server.js';

const base = '/api/v1/projects/default';
const user = { kind: 'user', key: 'u-42' };

const pglite = (await storeKinds()).find((k) => k.name === 'pglite') as StoreKind;

describe('the SDK against a real Vexil server', () => {
  let s: TestServer;
  let db: SqlClient;
  let closeDb: () => Promise<void>;
  let url: string;
  let port: number;
  let serverKey: string;
  let restarted: Vexil | undefined;
  let dir: string;
  const clients: VexilClient[] = [];
  const start = (options: VexilOptions = {}) => {
    const c = init(serverKey, {
      baseUrl: url,
      logger: silentLogger,
      streamInitialRetryDelayMs: 50,
      streamMaxRetryDelayMs: 200,
      streamReadTimeoutMs: 1000,
      pollIntervalMs: 200,
      ...options,
    });
    clients.push(c);
    return c;
  };
  /** An admin API call on whichever server instance is up. */
  const api = async (method: string, path: string, body?: unknown) => {
    const app = restarted?.http ?? s.vexil.http;
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    assert.ok(res.statusCode < 300, `${method} ${path}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const toggle = (key: string, on: boolean) =>
    api('PATCH', `${base}/flags/${key}/environments/production`, {
      instructions: [{ kind: on ? 'turnFlagOn' : 'turnFlagOff' }],
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vexil-sdk-it-'));
    // The store outlives the first server instance: it is restarted on the same data.
    const shared: StoreKind = {
      name: 'pglite',
      skip: undefined,
      open: async () => {
        db = await pglite.open();
        closeDb = db.close;
        return { ...db, close: async () => {} };
      },
    };
    s = await startTestServer(shared, { stream: { heartbeatMs: 200 } });
    await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
    port = (s.vexil.http.server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
    serverKey = (await api('POST', `${base}/environments/production/keys`, { kind: 'server' })).key;
    await api('POST', `${base}/flags`, { key: 'checkout', name: 'Checkout' });
    await api('POST', `${base}/flags`, { key: 'banner', name: 'Banner' });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await restarted?.close();
    await s?.vexil.close().catch(() => {});
    await closeDb?.();
    await rm(dir, { recursive: true, force: true });
  });

  test('an update made through the API reaches the SDK listener in under a second', async (t) => {
    const client = start({ sendEvents: false });
    const status = await client.waitForReady({ timeout: 5000 });
    assert.equal(status.level, 0);
    assert.equal(status.state, 'streaming');
    const latencies: number[] = [];
    for (let i = 0; i < 6; i++) {
      const on = i % 2 === 0;
      const changed = new Promise<FlagChange>((resolve) => {
        const off = client.onFlagChange('checkout', (c) => {
          off();
          resolve(c);
        });
      });
      const t0 = performance.now();
      await toggle('checkout', on);
      const change = await changed;
      latencies.push(performance.now() - t0);
      assert.equal(change.cause, 'updated');
      assert.equal(client.boolVariationDetail('checkout', user, !on).reason.kind, on ? 'FALLTHROUGH' : 'OFF');
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    const max = sorted.at(-1) as number;
    t.diagnostic(
      `API change → SDK listener: median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms (${latencies.length} changes)`,
    );
    assert.ok(max < 1000, `an update took ${max} ms`);
  });

  test('analytics reach POST /events/v1/bulk and are stored', async () => {
    const client = start({ eventsFlushIntervalMs: 60_000 });
    await client.waitForReady({ timeout: 5000 });
    const served = client.boolVariationDetail('banner', user, true).variationIndex;
    for (let i = 0; i < 4; i++) client.boolVariation('banner', { key: `u-${i}` }, true);
    client.track('purchase', { ...user, plan: 'pro' }, 12.5);
    await client.flush();
    assert.equal(client.eventStats().sent, 2, String(client.status().lastError));
    const rows = await db.query<{
      kind: string;
      event_key: string | null;
      payload: Record<string, unknown>;
      sdk: string;
    }>('SELECT kind, event_key, payload, sdk FROM sdk_events ORDER BY id');
    const summary = rows.find((r) => r.kind === 'summary');
    const custom = rows.find((r) => r.kind === 'custom');
    assert.deepEqual((summary?.payload.flags as Record<string, unknown> | undefined)?.banner, {
      counters: [{ version: 1, variation: served, count: 5 }],
    });
    assert.equal(custom?.event_key, 'purchase');
    assert.deepEqual(custom?.payload.contextKeys, { user: 'u-42' });
    assert.equal(custom?.sdk, '@vexil/node/0.1.0');
  });

  test('an experiment end to end: SDK exposures and conversions become the results API readout', async () => {
    await api('POST', `${base}/flags`, { key: 'exp-checkout', name: 'Experiment' });
    await api('PUT', `${base}/flags/exp-checkout/environments/production`, {
      on: true,
      fallthrough: {
        rollout: {
          experiment: true,
          variations: [
            { variation: 0, weight: 50_000 },
            { variation: 1, weight: 50_000 },
          ],
        },
      },
    });
    const client = start({ eventsFlushIntervalMs: 60_000 });
    await client.waitForReady({ timeout: 5000 });
    for (let t = 0; !client.boolVariationDetail('exp-checkout', user, false).inExperiment && t < 100; t++)
      await new Promise((r) => setTimeout(r, 20));
    const expected = [
      { units: 0, conversions: 0 },
      { units: 0, conversions: 0 },
    ];
    // The context that waited for the rollout was exposed too: one unit, no conversion.
    (expected[client.boolVariationDetail('exp-checkout', user, false).variationIndex as number] as { units: number })
      .units++;
    for (let i = 0; i < 400; i++) {
      const who = { kind: 'user', key: `exp-${i}` };
      const d = client.boolVariationDetail('exp-checkout', who, false);
      assert.equal(d.inExperiment, true);
      const v = expected[d.variationIndex as number] as { units: number; conversions: number };
      v.units++;
      if (i % 4 === 0) {
        client.track('purchase', who, 20);
        v.conversions++;
      }
    }
    await client.flush();
    const results = await api('GET', `${base}/flags/exp-checkout/environments/production/results?metric=purchase`);
    assert.deepEqual(
      results.variations.map((v: { units: number; conversions: number }) => ({
        units: v.units,
        conversions: v.conversions,
      })),
      expected,
    );
    assert.ok(expected[0].units > 150 && expected[1].units > 150, 'both arms got traffic');
    assert.equal(results.sampleRatio.mismatch, false);
  });

  test('the events route: server key required, bodies validated, gzip or plain, 202', async () => {
    const post = (body: Buffer | string, headers: Record<string, string>) =>
      fetch(`${url}/events/v1/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const ok = JSON.stringify({
      events: [{ kind: 'custom', creationDate: Date.now(), key: 'k', contextKeys: { user: 'u' } }],
    });
    assert.equal((await post(ok, {})).status, 401);
    assert.equal((await post(ok, { authorization: 'vxs_unknown' })).status, 401);
    assert.equal((await post(ok, { authorization: serverKey })).status, 202);
    const gz = await post(gzipSync(ok), { authorization: serverKey, 'content-encoding': 'gzip' });
    assert.equal(gz.status, 202);
    assert.deepEqual(await gz.json(), { accepted: 1 });
    const bad = await post(JSON.stringify({ events: [{ kind: 'custom', key: '', contextKeys: {} }], extra: 1 }), {
      authorization: serverKey,
    });
    assert.equal(bad.status, 400);
    const problem = (await bad.json()) as { errors: { path: string; code: string }[] };
    assert.ok(
      problem.errors.some((e) => e.path === '/extra' && e.code === 'unknown_property'),
      JSON.stringify(problem),
    );
    assert.equal((await post('not gzip', { authorization: serverKey, 'content-encoding': 'gzip' })).status, 400);
    assert.equal((await post(ok, { authorization: serverKey, 'content-encoding': 'br' })).status, 415);
  });

  test('the server stops: level 2 with the last flags (a new process too, from the cache file); it restarts: level 0', async (t) => {
    const cacheFile = join(dir, 'vexil-cache.json');
    const client = start({ sendEvents: false, cacheFile, streamFailuresBeforePolling: 2 });
    await client.waitForReady({ timeout: 5000 });
    await toggle('banner', true);
    await waitFor(() => client.boolVariation('banner', user, false) === true, 2000, 'banner on');
    await waitFor(() => existsSync(cacheFile), 2000, 'the cache file');
    await new Promise((r) => setTimeout(r, 300)); // the cache write coalesces changes for 200 ms
    const levels: number[] = [];
    client.on('status', (st) => levels.push(st.level));

    await s.vexil.close(); // the store survives (its close is a no-op here)
    await waitFor(() => client.status().level === 2, 5000, 'level 2');
    assert.equal(client.boolVariation('banner', user, false), true, 'the last flags are served');
    assert.ok(client.status().lastError, 'with the reason');

    const fresh = start({ sendEvents: false, cacheFile });
    assert.equal(fresh.status().level, 2, 'a process started while the server is down');
    assert.equal(fresh.status().flagSource, 'cache');
    assert.equal(fresh.boolVariation('banner', user, false), true, 'serves the cached flags at once');

    const downAt = performance.now();
    restarted = await createVexil({ db: { ...db, close: async () => {} }, stream: { heartbeatMs: 200 } });
    await restarted.http.listen({ port, host: '127.0.0.1' });
    await waitFor(() => client.status().level === 0 && fresh.status().level === 0, 10_000, 'level 0 again');
    t.diagnostic(`back to level 0 ${(performance.now() - downAt).toFixed(0)} ms after the restart`);
    assert.deepEqual(levels.slice(0, 1), [2]);
    assert.equal(levels.at(-1), 0);
    assert.equal(fresh.status().flagSource, 'network');

    // Changes flow again, to both.
    await toggle('banner', false);
    await waitFor(
      () => client.boolVariation('banner', user, true) === false && fresh.boolVariation('banner', user, true) === false,
      2000,
      'the change after the restart',
    );
  });
});
