/**
 * Analytics events against a fake events endpoint: summaries per flag/version/variation,
 * exposures for experiments, custom events, gzip, flushing on size, interval and close, the
 * bounded queue while the server is unreachable, and a refused key.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type CustomEvent,
  type EventPayload,
  type ExposureEvent,
  init,
  type SummaryEvent,
  silentLogger,
  UnauthorizedError,
  type VexilClient,
  type VexilOptions,
} from '../src/index.js';
import { boolFlag, FakeVexil, sleep, waitFor } from './fake-server.js';

const experiment = boolFlag('exp', true, 4, {
  rules: [
    {
      id: 'us',
      clauses: [{ attribute: 'country', op: 'in', values: ['US'] }],
      serve: {
        rollout: {
          experiment: true,
          variations: [
            { variation: 0, weight: 50_000 },
            { variation: 1, weight: 50_000 },
          ],
        },
      },
    },
  ],
});
const flags = [boolFlag('alpha', true, 1), boolFlag('beta', false, 2), experiment];

describe('analytics events', () => {
  let fake: FakeVexil;
  const clients: VexilClient[] = [];
  const start = (extra: VexilOptions = {}) => {
    const c = init('vxs_test', {
      mode: 'offline',
      offlineData: { flags },
      sendEvents: true,
      eventsUrl: fake.url,
      eventsFlushIntervalMs: 60_000,
      logger: silentLogger,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  const payloads = () => fake.eventPayloads.map((p) => p.body as EventPayload);
  const events = () => payloads().flatMap((p) => p.events);

  beforeEach(async () => {
    fake = await new FakeVexil().start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await fake.close();
  });

  test('summaries count evaluations per flag, version and variation, defaults and unknown flags', async () => {
    fake.snapshot.flags = { alpha: boolFlag('alpha', true, 1), beta: boolFlag('beta', false, 2) };
    const client = init('vxs_test', {
      baseUrl: fake.url,
      eventsFlushIntervalMs: 60_000,
      logger: silentLogger,
    });
    clients.push(client);
    await client.waitForReady({ timeout: 2000 });
    for (let i = 0; i < 10; i++) client.boolVariation('alpha', { key: `u-${i}` }, false);
    for (let i = 0; i < 3; i++) client.boolVariation('beta', { key: `u-${i}` }, true);
    client.stringVariation('alpha', { key: 'u' }, 'wrong type');
    client.boolVariation('missing', { key: 'u' }, false);
    client.boolVariation('missing', { key: 'u' }, false);
    let updated = false;
    client.onFlagChange('alpha', () => {
      updated = true;
    });
    fake.patchFlag(boolFlag('alpha', false, 2));
    await waitFor(() => updated, 2000, 'the update');
    client.boolVariation('alpha', { key: 'u' }, true);
    await client.flush();
    const summary = events().find((e) => e.kind === 'summary') as SummaryEvent;
    assert.ok(summary, JSON.stringify(payloads()));
    const sort = (c: { version: number; variation: number | null }[]) =>
      [...c].sort((a, b) => a.version - b.version || (a.variation ?? -1) - (b.variation ?? -1));
    assert.deepEqual(sort(summary.flags.alpha?.counters ?? []), [
      { version: 1, variation: null, count: 1 },
      { version: 1, variation: 1, count: 10 },
      { version: 2, variation: 0, count: 1 },
    ]);
    assert.deepEqual(summary.flags.beta?.counters, [{ version: 2, variation: 0, count: 3 }]);
    assert.deepEqual(summary.flags.missing?.counters, [{ version: 0, variation: null, count: 2, unknown: true }]);
    assert.ok(summary.startDate <= summary.endDate && summary.startDate > Date.now() - 60_000);

    // The next summary starts from zero.
    fake.eventPayloads.length = 0;
    client.boolVariation('beta', { key: 'u' }, true);
    await client.flush();
    assert.deepEqual((events()[0] as SummaryEvent).flags, {
      beta: { counters: [{ version: 2, variation: 0, count: 1 }] },
    });
  });

  test('exposures for experiments and custom events: context keys only, gzip, the key, a payload id', async () => {
    const client = start();
    const ctx = { kind: 'user', key: 'u-42', country: 'US', email: 'secret@example.com' };
    const served = client.boolVariationDetail('exp', ctx, false);
    assert.equal(served.inExperiment, true);
    client.boolVariation('exp', ctx, false); // the same exposure again: not repeated within the interval
    client.boolVariation('exp', { ...ctx, country: 'FR' }, false); // not in the experiment: no exposure
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    client.track('broken', ctx, 1, cyclic as never); // data that cannot be JSON is dropped, the event kept
    client.track(
      'checkout',
      { kind: 'multi', user: { key: 'u-42', email: 'x' }, organization: { key: 'acme' } },
      99.5,
      {
        cart: 3,
      },
    );
    client.track('signup', ctx);
    await client.flush();
    const [payload] = fake.eventPayloads;
    assert.ok(payload);
    assert.equal(payload.headers['content-encoding'], 'gzip');
    assert.equal(payload.headers.authorization, 'vxs_test');
    assert.match(String(payload.headers['x-vexil-payload-id']), /^[0-9a-f-]{36}$/);
    assert.deepEqual((payload.body as EventPayload).sdk, { name: '@vexil/node', version: '0.1.0' });
    const exposures = events().filter((e) => e.kind === 'exposure') as ExposureEvent[];
    assert.equal(exposures.length, 1);
    assert.deepEqual(
      { ...exposures[0], creationDate: 0 },
      {
        kind: 'exposure',
        creationDate: 0,
        flagKey: 'exp',
        version: 4,
        variation: served.variationIndex,
        contextKeys: { user: 'u-42' },
        ruleId: 'us',
      },
    );
    const custom = events().filter((e) => e.kind === 'custom') as CustomEvent[];
    assert.deepEqual(
      custom.map(({ creationDate: _, ...e }) => e),
      [
        { kind: 'custom', key: 'broken', contextKeys: { user: 'u-42' }, value: 1 },
        {
          kind: 'custom',
          key: 'checkout',
          contextKeys: { user: 'u-42', organization: 'acme' },
          value: 99.5,
          data: { cart: 3 },
        },
        { kind: 'custom', key: 'signup', contextKeys: { user: 'u-42' } },
      ],
    );
    assert.ok(!JSON.stringify(payloads()).includes('secret@example.com'), 'attributes never leave the process');
    assert.equal(client.eventStats().sent, 5);
  });

  test('flushed as soon as flushSize events are queued, and on the interval', async () => {
    const bySize = start({ eventsFlushSize: 5 });
    for (let i = 0; i < 5; i++) bySize.track('e', { key: `u-${i}` });
    await waitFor(() => events().length === 5, 2000, 'a flush by size');
    const byTime = start({ eventsFlushIntervalMs: 100 });
    byTime.track('tick', { key: 'u' });
    await waitFor(() => events().length === 6, 2000, 'a flush on the interval');
  });

  test('bounded while the server is unreachable: the oldest are dropped, counted and reported', async () => {
    fake.eventsStatus = 503;
    const client = start({ eventsCapacity: 10, eventsFlushSize: 10 });
    for (let i = 0; i < 25; i++) client.track(`e-${i}`, { key: 'u' });
    await client.flush();
    await sleep(20);
    const stats = client.eventStats();
    assert.equal(stats.queued, 10);
    assert.equal(stats.dropped, 15);
    assert.ok(stats.failedRequests >= 1);
    fake.eventsStatus = 202;
    await client.flush();
    const [delivered] = payloads();
    assert.equal(delivered?.dropped, 15);
    assert.deepEqual(
      delivered?.events.map((e) => (e as CustomEvent).key),
      Array.from({ length: 10 }, (_, i) => `e-${i + 15}`),
      'the newest ten',
    );
    assert.deepEqual(client.eventStats(), { queued: 0, dropped: 15, sent: 10, failedRequests: stats.failedRequests });
  });

  test('close() sends what is left', async () => {
    const client = start();
    client.boolVariation('alpha', { key: 'u' }, false);
    client.track('bye', { key: 'u' });
    await client.close();
    assert.deepEqual(
      events()
        .map((e) => e.kind)
        .sort(),
      ['custom', 'summary'],
    );
    client.track('after-close', { key: 'u' });
    assert.equal(client.eventStats().queued, 0, 'nothing is collected after close');
  });

  test('a refused key stops event collection', async () => {
    fake.validKey = 'vxs_someone_else';
    const client = start();
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    client.track('e', { key: 'u' });
    await client.flush();
    assert.ok(errors[0] instanceof UnauthorizedError);
    client.track('e2', { key: 'u' });
    assert.equal(client.eventStats().queued, 0);
  });
});
