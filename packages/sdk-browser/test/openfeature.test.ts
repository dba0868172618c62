/**
 * The OpenFeature web provider (@openfeature/web-sdk) over the browser client, in Node against a
 * real Vexil server (polling: Node 20 has no EventSource): resolution details, reasons, errors,
 * context changes through setContext, configuration-changed events, and tracking.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
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
});
