/**
 * Delivery against a fake stream node the tests control: streaming, changes, garbage, a stream
 * cut mid-event, a stalled stream, the polling fallback and the way back, pure polling, a
 * refused key, the server going away and coming back, and the cache file.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import {
  type FlagChange,
  init,
  type SdkStatus,
  StreamMalformedError,
  StreamStalledError,
  silentLogger,
  UnauthorizedError,
  type VexilClient,
  type VexilOptions,
} from '../src/index.js';
import { boolFlag, FakeVexil, sleep, waitFor } from './fake-server.js';

const user = { kind: 'user', key: 'u-1' };

describe('streaming against a fake stream node', () => {
  let fake: FakeVexil;
  const clients: VexilClient[] = [];
  const fast = (): VexilOptions => ({
    baseUrl: fake.url,
    logger: silentLogger,
    sendEvents: false,
    streamInitialRetryDelayMs: 20,
    streamMaxRetryDelayMs: 80,
    streamReadTimeoutMs: 400,
    pollIntervalMs: 50,
    requestTimeoutMs: 1000,
  });
  const start = (options: VexilOptions = {}, key = 'vxs_test') => {
    const c = init(key, { ...fast(), ...options });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    fake = await new FakeVexil().start();
    fake.snapshot.flags.alpha = boolFlag('alpha', true);
    fake.snapshot.flags.beta = boolFlag('beta', false);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await fake.close();
  });

  test('a put on connect: ready, level 0, values served', async () => {
    const client = start();
    assert.equal(client.status().level, 3, 'no flags yet');
    assert.deepEqual(client.boolVariationDetail('alpha', user, false).reason, {
      kind: 'ERROR',
      errorKind: 'CLIENT_NOT_READY',
    });
    const status = await client.waitForReady({ timeout: 2000 });
    assert.equal(status.level, 0);
    assert.equal(status.state, 'streaming');
    assert.equal(status.flagSource, 'network');
    assert.equal(status.flagCount, 2);
    assert.equal(client.boolVariation('alpha', user, false), true);
    assert.equal(client.boolVariation('beta', user, true), false);
    const req = fake.requestsTo('/sdk/v1/stream')[0];
    assert.equal(req?.headers.authorization, 'vxs_test');
    assert.equal(req?.headers.accept, 'text/event-stream');
  });

  test('patches and deletes reach the listeners: any flag, one flag, and dependents', async () => {
    fake.snapshot.segments.beta = { key: 'beta', version: 1, included: [{ values: ['u-1'] }] };
    fake.snapshot.flags.gated = boolFlag('gated', true, 1, {
      fallthrough: { variation: 0 },
      rules: [{ id: 'beta', clauses: [{ op: 'segmentMatch', values: ['beta'] }], serve: { variation: 1 } }],
    });
    fake.snapshot.flags.child = boolFlag('child', true, 1, { prerequisites: [{ key: 'alpha', variation: 1 }] });
    const client = start();
    await client.waitForReady({ timeout: 2000 });
    const any: FlagChange[] = [];
    const alphaOnly: FlagChange[] = [];
    client.onChange((c) => any.push(c));
    const off = client.onFlagChange('alpha', (c) => alphaOnly.push(c));
    client.onFlagChange('beta', () => {
      throw new Error('a throwing listener does not hurt the SDK');
    });

    fake.patchFlag(boolFlag('alpha', false, 2));
    await waitFor(() => any.length >= 2, 2000, 'alpha and its dependent');
    assert.equal(client.boolVariation('alpha', user, true), false);
    assert.deepEqual(alphaOnly, [{ key: 'alpha', version: 2, previousVersion: 1, cause: 'updated' }]);
    assert.deepEqual(any.map((c) => [c.key, c.cause]).sort(), [
      ['alpha', 'updated'],
      ['child', 'dependency'],
    ]);
    assert.equal(client.boolVariationDetail('child', user, true).reason.kind, 'PREREQUISITE_FAILED');

    // A segment change: the flag using it changes, though its own version does not.
    any.length = 0;
    fake.snapshot.seq++;
    fake.broadcast(
      `id: ${fake.snapshot.seq}\nevent: patch\ndata: ${JSON.stringify({ kind: 'segment', key: 'beta', version: 2, data: { key: 'beta', version: 2 } })}\n\n`,
    );
    await waitFor(() => any.length >= 1, 2000, 'segment dependents');
    assert.deepEqual(any, [{ key: 'gated', version: 1, previousVersion: 1, cause: 'dependency' }]);
    assert.equal(client.boolVariation('gated', user, true), false);

    off();
    any.length = 0;
    fake.deleteFlag('alpha');
    await waitFor(() => any.length >= 1, 2000, 'delete');
    assert.deepEqual(any[0], { key: 'alpha', version: null, previousVersion: 2, cause: 'deleted' });
    assert.equal(alphaOnly.length, 1, 'unsubscribed');
    assert.deepEqual(client.boolVariationDetail('alpha', user, true).reason, {
      kind: 'ERROR',
      errorKind: 'FLAG_NOT_FOUND',
    });
    assert.equal(client.status().level, 0);
  });

  test('garbage on the stream: the SDK reconnects and keeps its last good flags', async () => {
    const client = start();
    await client.waitForReady({ timeout: 2000 });
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    // Binary noise and unknown fields are ignored (the SSE rules); a put whose data is not JSON is not.
    fake.broadcast('\u0000\u00ff\u0007 noise without a colon\nunknown: field\n\n');
    fake.broadcast('event: put\ndata: {"flags": {"alpha": tru\n\n');
    await waitFor(() => client.connectionStats().streamConnections >= 2, 2000, 'a reconnect');
    assert.ok(
      errors.some((e) => e instanceof StreamMalformedError),
      'reported as a malformed stream',
    );
    assert.equal(client.boolVariation('alpha', user, false), true, 'the last good flags are kept');

    // A well-formed JSON put of the wrong shape is refused too.
    await waitFor(() => fake.streams.size === 1, 2000, 'the new stream');
    fake.broadcast('event: put\ndata: {"flags": 5}\n\n');
    await waitFor(() => client.connectionStats().streamConnections >= 3, 2000, 'another reconnect');
    assert.equal(client.boolVariation('alpha', user, false), true);
    await waitFor(() => client.status().level === 0, 2000, 'back to streaming');
  });

  test('cut mid-event: the partial event is never applied, and the SDK resumes with Last-Event-ID', async () => {
    const client = start();
    await client.waitForReady({ timeout: 2000 });
    const resumeIds: (string | undefined)[] = [];
    const changed = boolFlag('alpha', false, 2);
    fake.onStream = (req, res) => {
      const id = req.headers['last-event-id'] as string | undefined;
      resumeIds.push(id);
      fake.openStream(res);
      // As the server does: only the missed change, no put.
      if (id === '1')
        res.write(
          `id: 2\nevent: patch\ndata: ${JSON.stringify({ kind: 'flag', key: 'alpha', version: 2, data: changed })}\n\n`,
        );
      else res.write(fake.putFrame());
    };
    const frame = `id: 2\nevent: patch\ndata: ${JSON.stringify({ kind: 'flag', key: 'alpha', version: 2, data: changed })}\n\n`;
    fake.broadcast(frame.slice(0, frame.length - 40));
    await sleep(30);
    assert.equal(client.boolVariation('alpha', user, true), true, 'half an event changes nothing');
    fake.cutStreams();
    await waitFor(() => resumeIds.length >= 1, 2000, 'the reconnect');
    assert.equal(resumeIds[0], '1', 'Last-Event-ID is the last complete event');
    await waitFor(() => client.boolVariation('alpha', user, true) === false, 2000, 'the resumed patch');
    assert.equal(client.status().level, 0);
  });

  test('a stalled stream (no heartbeat within the read timeout) is reconnected; heartbeats keep it', async () => {
    let connections = 0;
    fake.onStream = (_req, res) => {
      connections++;
      fake.openStream(res);
      res.write(fake.putFrame());
      // First connection: silence. Later ones: a heartbeat every 50 ms.
      if (connections > 1) {
        const t = setInterval(() => res.write(': ping\n\n'), 50);
        res.on('close', () => clearInterval(t));
      }
    };
    const client = start({ streamReadTimeoutMs: 400 });
    await client.waitForReady({ timeout: 2000 });
    const started = Date.now();
    await waitFor(() => connections >= 2, 3000, 'a reconnect after the stall');
    const detectedAfter = Date.now() - started;
    assert.ok(detectedAfter >= 350, `stall detected after ${detectedAfter} ms`);
    assert.ok(client.status().lastError instanceof StreamStalledError);
    await sleep(900);
    assert.equal(connections, 2, 'a stream with heartbeats stays connected');
    assert.equal(client.status().level, 0);
  });

  test('repeated stream failures: polling with ETag (level 1); the stream recovers: level 0, polling stops', async () => {
    let streamUp = false;
    fake.onStream = (_req, res) => {
      if (!streamUp) {
        res.writeHead(503).end();
        return;
      }
      fake.openStream(res);
      res.write(fake.putFrame());
    };
    const levels: number[] = [];
    const client = start({ streamFailuresBeforePolling: 3 });
    client.on('status', (s) => levels.push(s.level));
    const status = await client.waitForReady({ timeout: 3000 });
    assert.equal(status.level, 1, 'flags came by polling');
    assert.equal(status.state, 'polling');
    assert.ok(fake.requestsTo('/sdk/v1/stream').length >= 3, 'polling began after 3 stream failures');
    // Polls revalidate with the ETag: unchanged flags cost a 304.
    await waitFor(() => fake.requestsTo('/sdk/v1/flags').length >= 3, 2000, 'more polls');
    assert.ok(fake.requestsTo('/sdk/v1/flags').some((r) => r.headers['if-none-match'] === '"1"'));
    // A change is picked up by polling.
    fake.snapshot.seq = 2;
    fake.snapshot.flags.alpha = boolFlag('alpha', false, 2);
    await waitFor(() => client.boolVariation('alpha', user, true) === false, 2000, 'the polled change');
    assert.equal(client.status().level, 1);

    streamUp = true;
    await waitFor(() => client.status().level === 0, 3000, 'streaming again');
    await waitFor(() => !client.connectionStats().polling, 2000, 'polling to stop');
    const polls = fake.requestsTo('/sdk/v1/flags').length;
    await sleep(200);
    assert.equal(fake.requestsTo('/sdk/v1/flags').length, polls, 'no polls while streaming');
    assert.ok(levels.includes(1) && levels.at(-1) === 0, `levels ${levels}`);
  });

  test('pure polling mode', async () => {
    const client = start({ mode: 'polling' });
    const status = await client.waitForReady({ timeout: 2000 });
    assert.equal(status.level, 1);
    assert.equal(fake.requestsTo('/sdk/v1/stream').length, 0);
    const changes: FlagChange[] = [];
    client.onChange((c) => changes.push(c));
    await waitFor(() => fake.requestsTo('/sdk/v1/flags').length >= 3, 2000, 'polls');
    assert.equal(changes.length, 0, '304s change nothing');
    fake.snapshot.seq = 2;
    fake.snapshot.flags.beta = boolFlag('beta', true, 2);
    await waitFor(() => changes.length === 1, 2000, 'the change');
    assert.equal(client.boolVariation('beta', user, false), true);
  });

  test('a refused key: the SDK stops asking, reports failed, and serves defaults', async () => {
    const client = start({}, 'vxs_wrong');
    const status = await client.waitForReady({ timeout: 2000 });
    assert.equal(status.state, 'failed');
    assert.equal(status.level, 3);
    assert.ok(status.lastError instanceof UnauthorizedError);
    assert.equal(status.lastError.status, 401);
    await sleep(150);
    assert.equal(fake.requests.length, 1, 'no retries after a 401');
    assert.equal(client.boolVariation('alpha', user, true), true);
  });

  test('the server goes away and comes back: level 2 with the last flags, then 0; a cache file serves a new process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vexil-sdk-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const cacheFile = join(dir, 'flags.json');
    const client = start({ cacheFile, streamFailuresBeforePolling: 2 });
    const levels: SdkStatus[] = [];
    client.on('status', (s) => levels.push(s));
    await client.waitForReady({ timeout: 2000 });
    assert.equal(client.status().level, 0);
    // The cache file is written shortly after the data arrives.
    await waitFor(() => existsSync(cacheFile), 2000, 'the cache file');
    const cached = JSON.parse(await readFile(cacheFile, 'utf8'));
    assert.equal(cached.format, 'vexil-node-cache/1');
    assert.equal(cached.flags.alpha.on, true);
    assert.equal(cached.seq, 1);
    assert.ok(!JSON.stringify(cached).includes('vxs_test'), 'the key itself is not stored');

    await fake.stop();
    await waitFor(() => client.status().level === 2, 2000, 'level 2');
    assert.equal(client.status().state, 'interrupted');
    assert.equal(client.boolVariation('alpha', user, false), true, 'last known flags served');

    // A new process starting now, while the server is down, serves the cached flags at once.
    const second = start({ cacheFile });
    assert.equal(second.boolVariation('alpha', user, false), true);
    assert.equal(second.status().level, 2);
    assert.equal(second.status().flagSource, 'cache');
    const waited = await second.waitForReady({ timeout: 300 });
    assert.equal(waited.level, 2, 'waitForReady gives up at the timeout with the cached flags');

    fake.snapshot.seq = 2;
    fake.snapshot.flags.alpha = boolFlag('alpha', false, 2);
    await fake.restart();
    await waitFor(() => client.status().level === 0 && second.status().level === 0, 3000, 'level 0 again');
    await waitFor(() => client.boolVariation('alpha', user, true) === false, 2000);
    assert.equal(second.boolVariation('alpha', user, true), false);
    assert.equal(second.status().flagSource, 'network');
    // The second client resumed from what it held (the cached sequence, or a poll's newer one),
    // never from nothing.
    const resumes = fake.requestsTo('/sdk/v1/stream').map((r) => r.headers['last-event-id']);
    assert.ok(
      resumes.some((id) => id === '1' || id === '2'),
      `stream requests carried ${JSON.stringify(resumes)}`,
    );
  });

  test('a cache file written for another SDK key is ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vexil-sdk-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const cacheFile = join(dir, 'flags.json');
    const first = start({ cacheFile });
    await first.waitForReady({ timeout: 2000 });
    await first.close();
    await fake.stop();
    const other = start({ cacheFile }, 'vxs_other');
    assert.equal(other.status().level, 3);
    assert.match(String(other.status().lastError?.message), /another SDK key/);
  });
});
