import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryBus } from '../src/dataplane/bus.js';
import { OutboxPublisher } from '../src/dataplane/outbox-publisher.js';
import { startTestServer, storeKinds } from './harness.js';

test('published changes are pruned from the outbox, unpublished ones never', async () => {
  const [kind] = await storeKinds();
  const s = await startTestServer(kind as NonNullable<typeof kind>);
  try {
    for (const key of ['p1', 'p2', 'p3']) {
      assert.equal((await s.call('POST', '/api/v1/projects/default/flags', { body: { key, name: key } })).status, 201);
    }
    await s.vexil.publisher?.kick();
    const [env] = await s.db.query<{ id: string }>('SELECT id FROM environments LIMIT 1');
    // A change committed but not yet published must survive any pruning.
    await s.db.query(
      "INSERT INTO outbox (environment_id, seq, entity, key, op) VALUES ($1, 999999, 'flag', 'late', 'delete')",
      [env?.id],
    );
    const received: number[] = [];
    const bus = memoryBus();
    bus.subscribe((m) => {
      if (m.type === 'change') received.push(m.seq);
    });
    const pruner = new OutboxPublisher({ db: s.db, bus, pruneEvery: 1, retainSeconds: 0, pollMs: 60_000 });
    await pruner.kick();
    await pruner.close();
    assert.deepEqual(received, [999999], 'only the unpublished change went out');
    const left = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    assert.equal(left[0]?.n, 0, 'every published change was pruned, the late one included once published');
  } finally {
    await s.close();
  }
});
