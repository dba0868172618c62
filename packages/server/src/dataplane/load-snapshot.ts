import type { Flag, Segment } from '@vexil/core';
import type { Sql, SqlClient } from '../infra/sql/client.js';
import type { EnvironmentSnapshot } from './messages.js';

/**
 * Reads an environment's evaluable flags and segments and its sequence number from one
 * consistent view of the store, so that the snapshot is exactly the state after change `seq`.
 */
export async function loadSnapshot(db: SqlClient, environmentId: string): Promise<EnvironmentSnapshot | undefined> {
  return db.transaction(async (tx) => {
    if (db.driver === 'postgres') await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return readSnapshot(tx, environmentId);
  });
}

/** The snapshot as the given connection or transaction sees it (callers choose the isolation). */
export async function readSnapshot(tx: Sql, environmentId: string): Promise<EnvironmentSnapshot | undefined> {
  const [env] = await tx.query<{ seq: number }>('SELECT seq FROM environments WHERE id = $1', [environmentId]);
  if (!env) return undefined;
  const flagRows = await tx.query<{
    key: string;
    kind: Flag['kind'];
    variations: Flag['variations'];
    client_visible: boolean;
    config: Record<string, unknown>;
    version: number;
  }>(
    `SELECT f.key, f.kind, f.variations, f.client_visible, c.config, c.version
       FROM flags f JOIN flag_configs c ON c.flag_id = f.id
       WHERE c.environment_id = $1 AND f.archived_at IS NULL`,
    [environmentId],
  );
  const segmentRows = await tx.query<{ key: string; version: number; config: Record<string, unknown> }>(
    'SELECT key, version, config FROM segments WHERE environment_id = $1',
    [environmentId],
  );
  const flags: Record<string, Flag> = {};
  for (const r of flagRows) {
    flags[r.key] = {
      ...(r.config as object),
      key: r.key,
      version: Number(r.version),
      kind: r.kind,
      variations: r.variations,
      clientVisible: r.client_visible,
    } as Flag;
  }
  const segments: Record<string, Segment> = {};
  for (const r of segmentRows)
    segments[r.key] = { ...(r.config as object), key: r.key, version: Number(r.version) } as Segment;
  return { environmentId, seq: Number(env.seq), flags, segments };
}
