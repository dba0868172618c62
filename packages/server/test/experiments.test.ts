import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const base = '/api/v1/projects/default';
const t0 = Date.parse('2026-11-01T00:00:00Z');

for (const kind of await storeKinds()) {
  describe(`experiment results on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let serverKey: string;
    before(async () => {
      s = await startTestServer(kind);
      serverKey = (await s.call('POST', `${base}/environments/production/keys`, { body: { kind: 'server' } })).body.key;
    });
    after(async () => {
      await s?.close();
    });

    const experiment = async (key: string) => {
      assert.equal((await s.call('POST', `${base}/flags`, { body: { key, name: key } })).status, 201);
      const put = await s.call('PUT', `${base}/flags/${key}/environments/production`, {
        body: {
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
        },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
    };
    const send = async (events: unknown[]) => {
      const res = await s.vexil.http.inject({
        method: 'POST',
        url: '/events/v1/bulk',
        headers: { authorization: serverKey, 'content-type': 'application/json' },
        payload: JSON.stringify({ events }),
      });
      assert.equal(res.statusCode, 202, res.body);
    };
    const exposure = (flagKey: string, user: string, variation: number, at: number) => ({
      kind: 'exposure',
      creationDate: at,
      flagKey,
      version: 1,
      variation,
      contextKeys: { user },
    });
    const conversion = (user: string, at: number, value?: number) => ({
      kind: 'custom',
      creationDate: at,
      key: 'checkout',
      contextKeys: { user },
      ...(value === undefined ? {} : { value }),
    });
    const results = (key: string, query = 'metric=checkout') =>
      s.call('GET', `${base}/flags/${key}/environments/production/results?${query}`);

    test('conversions per variation compared with control: rates, lift, interval, p-value, value per unit', async () => {
      await experiment('checkout-v2');
      const events: unknown[] = [];
      for (let i = 0; i < 1000; i++) {
        events.push(exposure('checkout-v2', `c${i}`, 0, t0 + i));
        events.push(exposure('checkout-v2', `t${i}`, 1, t0 + i));
        if (i < 200) events.push(conversion(`c${i}`, t0 + 10_000 + i, 10));
        if (i < 250) events.push(conversion(`t${i}`, t0 + 10_000 + i, 10));
      }
      // Not counted: a conversion before the exposure, one of another metric, a unit that saw both variations.
      events.push(conversion('c999', t0 - 1, 10));
      events.push({ ...conversion('c998', t0 + 20_000), key: 'signup' });
      events.push(exposure('checkout-v2', 'both', 0, t0), exposure('checkout-v2', 'both', 1, t0 + 5));
      await send(events);

      const res = await results('checkout-v2');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const [control, treatment] = res.body.variations;
      assert.deepEqual(
        [control.units, control.conversions, control.conversionRate, control.valuePerUnit],
        [1000, 200, 0.2, 2],
      );
      assert.deepEqual(
        [treatment.units, treatment.conversions, treatment.conversionRate, treatment.valuePerUnit],
        [1000, 250, 0.25, 2.5],
      );
      assert.equal(control.vsControl, null);
      // Two-proportion z-test, 200/1000 vs 250/1000: z = 2.677, p = 0.0074.
      assert.ok(Math.abs(treatment.vsControl.pValue - 0.00742) < 1e-4, String(treatment.vsControl.pValue));
      assert.ok(Math.abs(treatment.vsControl.lift - 0.25) < 1e-12);
      const [lo, hi] = treatment.vsControl.ci95;
      assert.ok(Math.abs(lo - 0.01346) < 1e-4 && Math.abs(hi - 0.08654) < 1e-4, `${lo} ${hi}`);
      assert.ok(Math.abs(treatment.valueVsControl.difference - 0.5) < 1e-12);
      assert.ok(treatment.valueVsControl.pValue < 0.05);
      assert.equal(res.body.excludedMixedUnits, 1);
      assert.deepEqual(res.body.sampleRatio.expectedWeights, [50_000, 50_000]);
      assert.equal(res.body.sampleRatio.chiSquare, 0);
      assert.equal(res.body.sampleRatio.mismatch, false);
    });

    test('a sample-ratio mismatch is flagged; a time window narrows the exposures', async () => {
      await experiment('skewed');
      const events: unknown[] = [];
      for (let i = 0; i < 1000; i++) events.push(exposure('skewed', `a${i}`, 0, t0 + i));
      for (let i = 0; i < 800; i++) events.push(exposure('skewed', `b${i}`, 1, t0 + 5000 + i));
      await send(events);
      const res = await results('skewed');
      assert.equal(res.status, 200);
      // 1,000 vs 800 against 50/50: chi-square 22.2, p = 2.4e-6.
      assert.ok(Math.abs(res.body.sampleRatio.chiSquare - 22.222) < 1e-3);
      assert.ok(res.body.sampleRatio.pValue < 1e-5);
      assert.equal(res.body.sampleRatio.mismatch, true);
      const early = await results(
        'skewed',
        `metric=checkout&to=${encodeURIComponent(new Date(t0 + 5000).toISOString())}`,
      );
      assert.deepEqual(
        early.body.variations.map((v: { units: number }) => v.units),
        [1000, 0],
      );
    });

    test('bad queries name their field', async () => {
      const missing = await s.call('GET', `${base}/flags/skewed/environments/production/results`);
      assert.equal(missing.status, 400);
      assert.ok(missing.body.errors.some((e: { path: string }) => e.path === '/query/metric'));
      const control = await results('skewed', 'metric=checkout&control=7');
      assert.equal(control.status, 400);
      assert.equal(control.body.errors[0].path, '/query/control');
      assert.equal((await results('no-such-flag')).status, 404);
    });
  });
}
