/**
 * The OpenFeature provider, exercised through the OpenFeature server SDK's own client:
 * resolution details (value, variant, reason, flag metadata), error codes, context mapping,
 * provider events (READY, CONFIGURATION_CHANGED, STALE, ERROR) and tracking.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ErrorCode, type EventDetails, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { silentLogger } from '../src/index.js';
import { VexilProvider } from '../src/openfeature/index.js';
import { boolFlag, FakeVexil, waitFor } from './fake-server.js';

const flags = [
  {
    key: 'of-bool',
    version: 3,
    kind: 'boolean',
    variations: [
      { value: true, name: 'on' },
      { value: false, name: 'off' },
    ],
    on: true,
    offVariation: 1,
    fallthrough: { variation: 1 },
    rules: [{ id: 'nl', clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }], serve: { variation: 0 } }],
  },
  {
    key: 'of-split',
    version: 1,
    kind: 'boolean',
    variations: [{ value: false }, { value: true }],
    on: true,
    offVariation: 0,
    fallthrough: {
      rollout: {
        variations: [
          { variation: 0, weight: 50_000 },
          { variation: 1, weight: 50_000 },
        ],
      },
    },
  },
  {
    key: 'of-str',
    version: 2,
    kind: 'string',
    variations: [{ value: 'blue', name: 'Blue' }, { value: 'green' }],
    on: true,
    offVariation: 0,
    fallthrough: { variation: 1 },
    targets: [{ contextKind: 'organization', variation: 0, values: ['acme'] }],
  },
  {
    key: 'of-num',
    version: 5,
    kind: 'number',
    variations: [{ value: 1 }, { value: 2 }],
    on: false,
    offVariation: 0,
    fallthrough: { variation: 1 },
  },
  {
    key: 'of-obj',
    version: 6,
    kind: 'json',
    variations: [{ value: { theme: 'dark', sizes: [1, 2] } }, { value: 'just a string' }],
    on: true,
    offVariation: 1,
    fallthrough: { variation: 0 },
    rules: [
      {
        id: 'after-launch',
        clauses: [{ attribute: 'signedUp', op: 'after', values: ['2030-01-01'] }],
        serve: { variation: 1 },
      },
    ],
  },
];

describe('OpenFeature provider (offline flags)', async () => {
  const provider = new VexilProvider('', { mode: 'offline', offlineData: { flags }, logger: silentLogger });
  await OpenFeature.setProviderAndWait('vexil-offline', provider);
  const client = OpenFeature.getClient('vexil-offline');
  after(() => OpenFeature.clearProviders());

  test('ready', () => {
    assert.equal(client.providerStatus, ProviderStatus.READY);
    assert.equal(client.metadata.providerMetadata.name, 'vexil');
  });

  test('values, variants, reasons and metadata', async () => {
    const nl = await client.getBooleanDetails('of-bool', false, { targetingKey: 'u-1', country: 'NL' });
    assert.deepEqual(
      { value: nl.value, variant: nl.variant, reason: nl.reason, errorCode: nl.errorCode, metadata: nl.flagMetadata },
      {
        value: true,
        variant: 'on',
        reason: 'TARGETING_MATCH',
        errorCode: undefined,
        metadata: { version: 3, reasonKind: 'RULE_MATCH', ruleId: 'nl', ruleIndex: 0 },
      },
    );
    const other = await client.getBooleanDetails('of-bool', true, { targetingKey: 'u-1', country: 'US' });
    assert.deepEqual([other.value, other.variant, other.reason], [false, 'off', 'DEFAULT']);
    const split = await client.getBooleanDetails('of-split', false, { targetingKey: 'u-1' });
    assert.equal(split.reason, 'SPLIT');
    assert.match(String(split.variant), /^[01]$/, 'no names: the index');
    const str = await client.getStringDetails('of-str', 'x', { targetingKey: 'u-1' });
    assert.deepEqual([str.value, str.variant, str.reason], ['green', '1', 'DEFAULT']);
    const num = await client.getNumberDetails('of-num', 0, { targetingKey: 'u-1' });
    assert.deepEqual([num.value, num.variant, num.reason, num.flagMetadata.reasonKind], [1, '0', 'DISABLED', 'OFF']);
    const obj = await client.getObjectValue('of-obj', {}, { targetingKey: 'u-1' });
    assert.deepEqual(obj, { theme: 'dark', sizes: [1, 2] });
  });

  test('context mapping: targetingKey, kind, multi-kind contexts, dates', async () => {
    const org = await client.getStringValue('of-str', 'x', { targetingKey: 'acme', kind: 'organization' });
    assert.equal(org, 'blue');
    const multi = await client.getStringValue('of-str', 'x', {
      kind: 'multi',
      user: { key: 'u-1' },
      organization: { key: 'acme' },
    });
    assert.equal(multi, 'blue');
    // A Date attribute becomes RFC 3339 for before/after. The rule then serves a string: not an object.
    const dated = await client.getObjectDetails(
      'of-obj',
      { d: 1 },
      { targetingKey: 'u-1', signedUp: new Date('2031-05-01T00:00:00Z') },
    );
    assert.deepEqual([dated.value, dated.errorCode], [{ d: 1 }, ErrorCode.TYPE_MISMATCH]);
  });

  test('errors: the default, with the OpenFeature error code', async () => {
    const missing = await client.getBooleanDetails('nope', true, { targetingKey: 'u-1' });
    assert.deepEqual([missing.value, missing.reason, missing.errorCode], [true, 'ERROR', ErrorCode.FLAG_NOT_FOUND]);
    const wrongType = await client.getNumberDetails('of-str', 7, { targetingKey: 'u-1' });
    assert.deepEqual([wrongType.value, wrongType.errorCode], [7, ErrorCode.TYPE_MISMATCH]);
    const noKey = await client.getBooleanDetails('of-bool', true, { country: 'NL' });
    assert.deepEqual([noKey.value, noKey.errorCode], [true, ErrorCode.TARGETING_KEY_MISSING]);
    const badKey = await client.getBooleanDetails('of-bool', true, { targetingKey: 42 as unknown as string });
    assert.equal(badKey.errorCode, ErrorCode.INVALID_CONTEXT);
  });
});

describe('OpenFeature provider (streaming): events and tracking', () => {
  test('READY, CONFIGURATION_CHANGED with the flag keys, STALE when the server goes away, READY when it is back; track', async () => {
    const fake = await new FakeVexil().start();
    fake.snapshot.flags.alpha = boolFlag('alpha', true);
    const provider = new VexilProvider('vxs_test', {
      baseUrl: fake.url,
      logger: silentLogger,
      streamInitialRetryDelayMs: 20,
      streamMaxRetryDelayMs: 80,
      streamFailuresBeforePolling: 100,
      eventsFlushIntervalMs: 60_000,
    });
    const seen: { type: string; details: EventDetails | undefined }[] = [];
    const client = OpenFeature.getClient('vexil-stream');
    for (const type of [
      ProviderEvents.Ready,
      ProviderEvents.Stale,
      ProviderEvents.Error,
      ProviderEvents.ConfigurationChanged,
    ])
      client.addHandler(type, (details) => seen.push({ type, details }));
    try {
      await OpenFeature.setProviderAndWait('vexil-stream', provider);
      assert.equal(client.providerStatus, ProviderStatus.READY);
      assert.equal(await client.getBooleanValue('alpha', false, { targetingKey: 'u-1' }), true);

      fake.patchFlag(boolFlag('alpha', false, 2));
      await waitFor(
        () => seen.some((e) => e.type === ProviderEvents.ConfigurationChanged),
        2000,
        'CONFIGURATION_CHANGED',
      );
      assert.deepEqual(seen.find((e) => e.type === ProviderEvents.ConfigurationChanged)?.details?.flagsChanged, [
        'alpha',
      ]);
      assert.equal(await client.getBooleanValue('alpha', true, { targetingKey: 'u-1' }), false);

      await fake.stop();
      await waitFor(() => client.providerStatus === ProviderStatus.STALE, 2000, 'STALE');
      assert.equal(await client.getBooleanValue('alpha', true, { targetingKey: 'u-1' }), false, 'still served');
      await fake.restart();
      await waitFor(() => client.providerStatus === ProviderStatus.READY, 3000, 'READY again');
      assert.deepEqual(
        seen.map((e) => e.type).filter((t) => t !== ProviderEvents.ConfigurationChanged),
        [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Ready],
      );

      client.track('purchase', { targetingKey: 'u-1', plan: 'pro' }, { value: 9.99, currency: 'EUR' });
      await provider.client.flush();
      const custom = fake.eventPayloads
        .flatMap((p) => p.body.events)
        .find((e: { kind: string }) => e.kind === 'custom');
      assert.deepEqual(
        { ...custom, creationDate: 0 },
        {
          kind: 'custom',
          creationDate: 0,
          key: 'purchase',
          contextKeys: { user: 'u-1' },
          value: 9.99,
          data: { currency: 'EUR' },
        },
      );
    } finally {
      await OpenFeature.clearProviders();
      await fake.close();
    }
  });

  test('a refused key: initialisation fails as fatal, evaluations return defaults', async () => {
    const fake = await new FakeVexil().start();
    const provider = new VexilProvider('vxs_wrong', { baseUrl: fake.url, logger: silentLogger, sendEvents: false });
    try {
      await assert.rejects(OpenFeature.setProviderAndWait('vexil-refused', provider));
      const client = OpenFeature.getClient('vexil-refused');
      assert.equal(client.providerStatus, ProviderStatus.FATAL);
      const d = await client.getBooleanDetails('alpha', true, { targetingKey: 'u-1' });
      assert.deepEqual([d.value, d.errorCode], [true, ErrorCode.PROVIDER_FATAL]);
    } finally {
      await OpenFeature.clearProviders();
      await fake.close();
    }
  });

  test('no flags within the ready timeout: ERROR, then READY when they arrive', async () => {
    const fake = await new FakeVexil().start();
    fake.snapshot.flags.alpha = boolFlag('alpha', true);
    let up = false;
    fake.onStream = (_req, res) => {
      if (!up) {
        res.writeHead(503).end();
        return;
      }
      fake.openStream(res);
      res.write(fake.putFrame());
    };
    const provider = new VexilProvider('vxs_test', {
      baseUrl: fake.url,
      logger: silentLogger,
      sendEvents: false,
      readyTimeoutMs: 150,
      streamInitialRetryDelayMs: 20,
      streamMaxRetryDelayMs: 50,
      streamFailuresBeforePolling: 1000,
    });
    const client = OpenFeature.getClient('vexil-late');
    try {
      await assert.rejects(OpenFeature.setProviderAndWait('vexil-late', provider));
      assert.equal(client.providerStatus, ProviderStatus.ERROR);
      up = true;
      await waitFor(() => client.providerStatus === ProviderStatus.READY, 3000, 'READY');
      assert.equal(await client.getBooleanValue('alpha', false, { targetingKey: 'u-1' }), true);
    } finally {
      await OpenFeature.clearProviders();
      await fake.close();
    }
  });
});
