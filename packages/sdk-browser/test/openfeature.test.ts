/**
 * The OpenFeature web provider (@openfeature/web-sdk) over the browser client, in Node against a
 * real Vexil server (polling: Node 20 has no EventSource): resolution details, reasons, errors,
 * context changes through setContext, configuration-changed events, and tracking.
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { startTestServer, storeKinds, type TestServer } from '../../server/test/harness.js';
import { toVexilContext, VexilWebProvider } from '../src/openfeature/index.js';
import { waitFor } from './helpers.js';

const api = '/api/v1/projects/default';

describe('OpenFeature web provider against a real Vexil server', () => {
  let s: TestServer;
  let provider: VexilWebProvider;
  let url = '';
  let clientId = '';
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await s.call(method, path, body === undefined ? {} : { body });
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  before(async () => {
    const [pglite] = await storeKinds();
    if (!pglite) throw new Error('no store');
    s = await startTestServer(pglite);
    await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(s.vexil.http.server.address() as AddressInfo).port}`;
    clientId = (await ok('POST', `${api}/environments/production/keys`, { kind: 'client' })).key;
    await ok('POST', `${api}/flags`, { key: 'banner', name: 'Banner', clientVisible: true });
    await ok('PUT', `${api}/flags/banner/environments/production`, { on: true, fallthrough: { variation: 1 } });
    await ok('POST', `${api}/flags`, {
      key: 'theme',
      name: 'Theme',
      kind: 'string',
      clientVisible: true,
      variations: [{ value: 'light' }, { value: 'dark' }],
    });
    await ok('PUT', `${api}/flags/theme/environments/production`, {
      on: true,
      rules: [{ id: 'nl', clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }], serve: { variation: 1 } }],
      fallthrough: { variation: 0 },
    });
    provider = new VexilWebProvider({ clientId, baseUrl: url, streaming: false, pollIntervalMs: 100, storage: null });
    await OpenFeature.setContext({ targetingKey: 'bob', country: 'US' });
    await OpenFeature.setProviderAndWait(provider);
  });
  after(async () => {
    await OpenFeature.close();
    await s?.close();
  });

  test('context mapping: targetingKey is the key, kind and attributes pass through, multi as is', () => {
    assert.deepEqual(toVexilContext({ targetingKey: 'u1', plan: 'pro' }), { key: 'u1', plan: 'pro' });
    assert.deepEqual(toVexilContext({ targetingKey: 'd1', kind: 'device' }), { key: 'd1', kind: 'device' });
    const multi = { kind: 'multi', user: { key: 'u' }, org: { key: 'o' } };
    assert.deepEqual(toVexilContext(multi), multi);
  });

  test('resolution details: values, variants, reasons, metadata and errors', () => {
    const of = OpenFeature.getClient();
    const banner = of.getBooleanDetails('banner', true);
    assert.equal(banner.value, false);
    assert.equal(banner.variant, '1');
    assert.equal(banner.reason, 'DEFAULT');
    assert.equal(banner.flagMetadata.reasonKind, 'FALLTHROUGH');
    assert.equal(typeof banner.flagMetadata.version, 'number');
    assert.equal(of.getStringValue('theme', 'x'), 'light');
    const wrong = of.getNumberDetails('banner', 7);
    assert.deepEqual([wrong.value, wrong.errorCode], [7, 'TYPE_MISMATCH']);
    const missing = of.getBooleanDetails('nope', true);
    assert.deepEqual([missing.value, missing.errorCode, missing.reason], [true, 'FLAG_NOT_FOUND', 'ERROR']);
  });

  test('setContext identifies the new context', async () => {
    await OpenFeature.setContext({ targetingKey: 'alice', country: 'NL' });
    const theme = OpenFeature.getClient().getStringDetails('theme', 'x');
    assert.deepEqual([theme.value, theme.reason, theme.flagMetadata.ruleId], ['dark', 'TARGETING_MATCH', 'nl']);
  });

  test('a change is a configuration-changed event with the changed keys; track never throws', async () => {
    const changed: string[][] = [];
    OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (e) => changed.push(e?.flagsChanged ?? []));
    await ok('PUT', `${api}/flags/banner/environments/production`, { on: true, fallthrough: { variation: 0 } });
    await waitFor(() => changed.some((k) => k.includes('banner')), 3000, 'configuration changed');
    assert.equal(OpenFeature.getClient().getBooleanValue('banner', false), true);
    OpenFeature.getClient().track('purchase', { value: 9.5, currency: 'EUR' });
    await provider.client?.flush();
    // The events endpoint takes client-side IDs: what the provider tracks is accepted.
    const accepted = await fetch(`${url}/events/v1/bulk`, {
      method: 'POST',
      headers: { authorization: clientId, 'content-type': 'application/json' },
      body: '{"events":[]}',
    });
    assert.equal(accepted.status, 202);
  });

  test('losing the server makes the provider STALE with the last values; its return makes it READY', async () => {
    // A real TCP hop between the provider and the server, that the test can cut and restore.
    const target = new URL(url);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(Number(target.port), target.hostname);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    const flaky = new VexilWebProvider({
      clientId,
      baseUrl: `http://127.0.0.1:${port}`,
      streaming: false,
      pollIntervalMs: 100,
      storage: null,
      sendEvents: false,
    });
    await OpenFeature.setProviderAndWait('flaky', flaky);
    const client = OpenFeature.getClient('flaky');
    const seen: string[] = [];
    for (const e of [ProviderEvents.Stale, ProviderEvents.Ready, ProviderEvents.Error])
      client.addHandler(e, () => seen.push(e));
    try {
      assert.equal(client.providerStatus, 'READY');
      seen.length = 0; // a READY handler runs at once for a provider that is already ready
      const before = client.getBooleanValue('banner', false);
      await new Promise<void>((r) => {
        proxy.close(() => r());
        for (const s of sockets) s.destroy();
      });
      await waitFor(() => client.providerStatus === 'STALE', 3000, 'STALE');
      assert.equal(client.getBooleanValue('banner', !before), before, 'the last known value is still served');
      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
      await waitFor(() => client.providerStatus === 'READY', 3000, 'READY again');
      assert.deepEqual(seen, [ProviderEvents.Stale, ProviderEvents.Ready], 'one STALE, then one READY');
    } finally {
      await new Promise<void>((r) => {
        proxy.close(() => r());
        for (const s of sockets) s.destroy();
      });
    }
  });

  test('a refused client-side ID makes the provider FATAL', async () => {
    const refused = new VexilWebProvider({
      clientId: 'vxc_notaclientid',
      baseUrl: url,
      streaming: false,
      pollIntervalMs: 100,
      storage: null,
      sendEvents: false,
    });
    await OpenFeature.setProviderAndWait('refused', refused).catch(() => {});
    const client = OpenFeature.getClient('refused');
    await waitFor(() => client.providerStatus === 'FATAL' || client.providerStatus === 'ERROR', 3000, 'FATAL');
    assert.equal(client.providerStatus, 'FATAL');
    assert.equal(client.getBooleanValue('banner', true), true, 'the default is served');
  });
});
