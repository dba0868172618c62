import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateAll, renderEvaluation } from '../src/dataplane/client-eval.js';
import { EnvironmentFeed } from '../src/dataplane/environment-feed.js';

test('the rendered client evaluation is byte for byte JSON.stringify(evaluateAll(...))', () => {
  const flag = (key: string, extra: object) => ({
    key,
    version: 3,
    kind: 'boolean',
    variations: [{ value: true }, { value: false }],
    on: true,
    offVariation: 1,
    fallthrough: { variation: 1 },
    clientVisible: true,
    ...extra,
  });
  const feed = new EnvironmentFeed('env', {
    environmentId: 'env',
    seq: 7,
    flags: {
      a: flag('a', {
        rules: [{ id: 'us', clauses: [{ attribute: 'country', op: 'in', values: ['US'] }], serve: { variation: 0 } }],
      }) as never,
      'b"quoted': flag('b"quoted', {
        fallthrough: {
          rollout: {
            experiment: true,
            variations: [
              { variation: 0, weight: 50_000 },
              { variation: 1, weight: 50_000 },
            ],
          },
        },
      }) as never,
      hidden: flag('hidden', { clientVisible: false }) as never,
      off: flag('off', { on: false }) as never,
      json: {
        ...flag('json', {}),
        kind: 'json',
        variations: [{ value: { nested: ['x', 1] } }, { value: null }],
      } as never,
    },
    segments: {},
  });
  for (const context of [{ key: 'u1', country: 'US' }, { key: 'u2', country: 'FR' }, { key: 'u3' }, null, 'junk']) {
    for (const withReasons of [false, true]) {
      for (let round = 0; round < 2; round++) {
        assert.equal(
          renderEvaluation(feed, context, { withReasons }),
          JSON.stringify(evaluateAll(feed, context, { withReasons })),
        );
      }
    }
  }
});
