// Vexil's Node SDK (@vexil/node) in offline mode, fed the same snapshot as scenarios/vexil.mjs:
//   client.boolVariation(key, ctx, false)   what an application calls: the SDK's Map lookup, core's
//                                           compiled flag, a type check and a summary counter
// Analytics events are on (so the evaluation counters run, as in production) but nothing is sent:
// the flush interval is an hour, and the client is not closed (closing sends the summary).
import { init, silentLogger } from '@vexil/node';
import { FLAG_KEYS } from '../spec.mjs';
import { s2FlagsJson, snapshot, toContext } from './vexil.mjs';

export const name = 'vexil-node';
export const description = '@vexil/node offline client; client.boolVariation(key, ctx, false)';

export { toContext };

export async function setup(scenario) {
  const client = init('vxs_bench', {
    mode: 'offline',
    offlineData: snapshot(),
    sendEvents: true,
    eventsFlushIntervalMs: 3_600_000,
    logger: silentLogger,
  });
  if (client.status().level !== 2 || client.status().lastError)
    throw new Error(`vexil-node: ${client.status().lastError}`);
  const key = FLAG_KEYS[scenario];
  return { toContext, evaluate: (ctx) => client.boolVariation(key, ctx, false), close() {} };
}

/** For the memory/load task: the SDK holding 10,000 flags (core's evaluator plus the SDK's entries). */
export function loadTask(count) {
  const json = s2FlagsJson(count);
  return {
    what: 'init({mode: offline, offlineData}): validate + compile + SDK entries',
    makeInput: () => JSON.parse(json),
    load: (input) => init('', { mode: 'offline', offlineData: input, logger: silentLogger }),
    check(client) {
      const k = `flag-${count - 1}`;
      const a = client.boolVariation(k, { kind: 'user', key: 'u', country: 'CA' }, false);
      const b = client.boolVariation(k, { kind: 'user', key: 'u', country: 'FR' }, true);
      if (a !== true || b !== false || client.status().flagCount !== count)
        throw new Error(`vexil-node: loaded flag misbehaves (${a}, ${b})`);
    },
    close: (client) => client.close(),
  };
}
