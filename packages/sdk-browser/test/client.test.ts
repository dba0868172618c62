/**
 * The core client in Node against a fake client-side endpoint: instant start (bootstrap, cache),
 * defaults, identify, change listeners, streaming with its polling fallback, and events.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { contextHash, encodeContext } from '../src/context-key.js';
import { type ClientOptions, createClient, type VexilClient } from '../src/index.js';
import { FakeEventSource, FakeVexil, flag, MemoryStorage, sleep, waitFor } from './helpers.js';

describe('browser client (core)', () => {
  let fake: FakeVexil;
  let storage: MemoryStorage;
  const clients: VexilClient[] = [];
  const start = (o: Partial<ClientOptions> = {}) => {
    const c = createClient({
      clientId: 'vxc_test',
      baseUrl: fake.url,
      context: { key: 'alice' },
      storage,
      streaming: false,
      pollIntervalMs: 50,
      ...o,
    });
    clients.push(c);
    return c;
  };

  before(async () => {
    fake = await new FakeVexil().start();
  });
  after(() => fake.close());
  beforeEach(() => {
    storage = new MemoryStorage();
    fake.values.clear();
    fake.values.set('alice', { flags: { banner: flag(true), theme: flag('dark', 1) } });
    fake.values.set('bob', { flags: { banner: flag(false, 1), theme: flag('light', 0) } });
    fake.eventBodies = [];
    fake.eventsStatus = 202;
    fake.failEvaluate = 0;
    fake.evaluateDelayMs = 0;
    FakeEventSource.instances = [];
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    delete (globalThis as { EventSource?: unknown }).EventSource;
  });

  test('contexts: canonical hash (attribute order does not matter) and base64url encoding', () => {
    assert.equal(contextHash({ key: 'a', country: 'NL' }), contextHash({ country: 'NL', key: 'a' }));
    assert.notEqual(contextHash({ key: 'a' }), contextHash({ key: 'b' }));
    const ctx = { key: 'ü-€', plan: 'pro' };
    assert.deepEqual(JSON.parse(Buffer.from(encodeContext(ctx), 'base64url').toString('utf8')), ctx);
    assert.doesNotMatch(encodeContext({ key: '???>>>' }), /[+/=]/);
  });

  test('defaults while nothing is known; values from the network; detail and type checks', async () => {
    const c = start();
    assert.equal(c.source, 'none');
    assert.equal(c.variation('banner', false), false, 'the default until values arrive');
    await c.waitForReady();
    assert.equal(c.source, 'network');
    assert.equal(c.variation('banner', false), true);
    assert.equal(c.variation('theme', 'light'), 'dark');
    assert.deepEqual(c.variationDetail('theme', 'light'), { value: 'dark', variationIndex: 1, version: 1 });
    assert.deepEqual(c.variationDetail('nope', 3), {
      value: 3,
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' },
    });
    assert.equal(c.variationDetail('theme', 42).reason?.errorKind, 'WRONG_TYPE');
    assert.deepEqual(c.allFlags(), { banner: true, theme: 'dark' });
  });

  test('bootstrap is served synchronously, before any network answer', async () => {
    fake.evaluateDelayMs = 100;
    const c = start({ bootstrap: { flags: { banner: flag(false, 1) } } });
    assert.equal(c.source, 'bootstrap');
    assert.equal(c.variation('banner', true), false);
    await c.waitForReady();
    assert.equal(c.variation('banner', false), true);
  });

  test('cache: the next start serves stored values at once, also with the server down; per context', async () => {
    const first = start();
    await first.waitForReady();
    await first.close();
    const offline = start({ baseUrl: 'http://127.0.0.1:9', offline: false });
    assert.equal(offline.source, 'cache');
    assert.equal(offline.variation('theme', 'x'), 'dark');
    await offline.waitForReady();
    assert.equal(offline.variation('theme', 'x'), 'dark', 'a failed fetch keeps the cached values');
    const other = start({ context: { key: 'bob' }, offline: true });
    assert.equal(other.source, 'none', 'another context has its own cache entry');
    const noStore = start({ storage: null, offline: true });
    assert.equal(noStore.source, 'none');
  });

  test('identify: old values stay until the new arrive; cached values of the new context at once', async () => {
    const c = start();
    await c.waitForReady();
    fake.evaluateDelayMs = 80;
    const seen: string[][] = [];
    c.onChange((keys) => seen.push(keys));
    const done = c.identify({ key: 'bob' });
    assert.equal(c.variation('theme', 'x'), 'dark', 'alice values until bob arrives');
    await done;
    assert.equal(c.variation('theme', 'x'), 'light');
    assert.deepEqual(seen, [['banner', 'theme']]);
    fake.evaluateDelayMs = 200;
    c.identify({ key: 'alice' });
    assert.equal(c.variation('theme', 'x'), 'dark', "alice's cached values are used at once");
    assert.equal(c.source, 'cache');
  });

  test('polling: changes reach listeners; per-key subscribers hear only their flag', async () => {
    const c = start();
    await c.waitForReady();
    let banner = 0;
    let theme = 0;
    c.subscribe('banner', () => banner++);
    c.subscribe('theme', () => theme++);
    const bannerBefore = c.flag('banner');
    fake.values.set('alice', { flags: { banner: flag(true), theme: flag('light', 0, 2) } });
    await waitFor(() => c.variation('theme', '') === 'light', 2000, 'polled change');
    assert.equal(theme, 1);
    assert.equal(banner, 0);
    assert.equal(c.flag('banner'), bannerBefore, 'an unchanged flag keeps its object');
    fake.values.set('alice', { flags: { theme: flag('light', 0, 2) } });
    await waitFor(() => banner === 1, 2000, 'a removed flag');
    assert.equal(c.variation('banner', false), false);
  });

  test('streaming: put and patch (null drops); polling while the stream is down; a closed stream is reopened', async () => {
    (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
    const c = start({ streaming: true, pollIntervalMs: 40 });
    await c.waitForReady();
    const es = FakeEventSource.instances[0];
    assert.ok(es);
    assert.match(es.url, /\/client\/v1\/stream\?clientId=vxc_test&context=/);
    es.emit('put', { flags: { banner: flag(true), theme: flag('blue', 2) } });
    assert.equal(c.variation('theme', ''), 'blue');
    es.emit('patch', { flags: { banner: null, theme: flag('green', 3, 2) } });
    assert.deepEqual(c.allFlags(), { theme: 'green' });
    const polls = () => fake.requests.filter((r) => r === 'GET /client/v1/evaluate').length;
    const before = polls();
    await sleep(150);
    assert.equal(polls(), before, 'no polling while the stream is up');
    es.fail(false);
    await waitFor(() => polls() >= before + 2, 2000, 'polling while reconnecting');
    assert.equal(c.variation('theme', ''), 'dark', 'polled values');
    es.emit('put', { flags: { theme: flag('green', 3, 2) } });
    const after = polls();
    await sleep(150);
    assert.ok(polls() <= after + 1, 'polling stops once the stream is back');
    es.fail(true);
    await waitFor(() => FakeEventSource.instances.length === 2, 2000, 'a new EventSource');
    await c.identify({ key: 'bob' });
    assert.ok(FakeEventSource.instances[1]?.closed, 'identify closes the old stream');
    assert.equal(FakeEventSource.instances.length, 3);
  });

  test('events: exposures (once per variation) and custom events, batched; a refusing endpoint turns them off quietly', async () => {
    const c = start({ flushIntervalMs: 60_000 });
    await c.waitForReady();
    c.variation('banner', false);
    c.variation('banner', false);
    c.variation('nope', false);
    c.track('checkout', 42, { cart: 3 });
    await c.flush();
    assert.equal(fake.eventBodies.length, 1);
    const events = fake.eventBodies[0]?.events ?? [];
    assert.deepEqual(
      events.map((e) => [e.kind, e.flagKey ?? e.key]),
      [
        ['exposure', 'banner'],
        ['custom', 'checkout'],
      ],
    );
    assert.deepEqual((events[1] as unknown as { contextKeys: unknown }).contextKeys, { user: 'alice' });
    fake.eventsStatus = 403;
    c.track('a');
    await c.flush();
    c.track('b');
    await c.flush();
    assert.equal(fake.eventBodies.length, 2, 'nothing more after a 403');
  });

  test('events: the queue is bounded; what did not fit is counted as dropped', async () => {
    const c = start({ flushIntervalMs: 60_000, maxQueuedEvents: 3, offline: false });
    for (let i = 0; i < 10; i++) c.track(`e${i}`);
    await c.flush();
    assert.equal(fake.eventBodies[0]?.events.length, 3);
    assert.equal(fake.eventBodies[0]?.dropped, 7);
  });

  test('offline: no request at all, bootstrap served', async () => {
    const n = fake.requests.length;
    const c = start({ offline: true, bootstrap: { flags: { banner: flag(true) } } });
    assert.equal(c.variation('banner', false), true);
    await c.waitForReady();
    c.track('x');
    await c.flush();
    await sleep(100);
    assert.equal(fake.requests.length, n);
  });
});
