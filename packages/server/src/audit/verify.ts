import type { Sql, SqlClient } from '../infra/sql/client.js';
import { type ChainedFields, eventHash } from './chain.js';

/**
 * Why a chain is not intact, at the first broken link:
 * - `edited`: the stored hash is not the hash of the row's content (a field or the hash was changed);
 * - `missing`: a gap in the sequence (rows deleted);
 * - `broken-link`: prev_hash is not the previous row's hash (the previous row was replaced with a
 *   re-hashed forgery, or this row was inserted or moved);
 * - `reordered`: row ids do not grow with seq (rows were swapped or re-inserted);
 * - `head-mismatch`: audit_heads disagrees with the last row (the newest rows were deleted, or rows
 *   were appended past the head, or the last row was replaced);
 * - `head-missing`: events exist but the chain's head row is gone.
 */
export type TamperReason = 'edited' | 'missing' | 'broken-link' | 'reordered' | 'head-mismatch' | 'head-missing';

export interface ChainIssue {
  seq: number;
  reason: TamperReason;
  detail: string;
  /** The audit_events row where the break was found, if one exists. */
  id?: number;
}

export interface ChainReport {
  /** The chain id: a project id, or '' for installation-wide events. */
  chain: string;
  /** The project's key; undefined when the project was deleted (or for the installation chain). */
  projectKey: string | undefined;
  /** Events read (up to and including the first broken link). */
  events: number;
  headSeq: number | undefined;
  issue: ChainIssue | undefined;
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
  events: number;
  ms: number;
}

export interface VerifyProgress {
  chain: string;
  projectKey: string | undefined;
  /** Events checked so far, over all chains. */
  checked: number;
  /** Events the heads account for (a progress estimate; exact for an intact log). */
  total: number;
}

export interface VerifyOptions {
  /** Only this project's chain: a project key, or the id of a deleted project. */
  projectKey?: string | undefined;
  /** Rows per keyset batch (memory is bounded by one batch). Default 2000. */
  batchSize?: number;
  /** Called after every batch. */
  onProgress?: (p: VerifyProgress) => void;
}

export class UnknownChainError extends Error {}

/** An audit_events row as the verifier reads it (before/after as JSON text). */
export interface AuditEventRow {
  id: number | string;
  project_id: string | null;
  seq: number | string;
  at: Date | string;
  actor_type: string;
  actor_id: string;
  actor_name: string;
  action: string;
  resource_type: string;
  resource_key: string;
  environment_key: string | null;
  before: string | null;
  after: string | null;
  comment: string;
  request_id: string;
  prev_hash: string;
  hash: string;
}

/** The ChainedFields a row claims; its hash must be eventHash of exactly these. */
export const rowFields = (r: AuditEventRow): ChainedFields => ({
  projectId: r.project_id,
  seq: Number(r.seq),
  at: new Date(r.at).toISOString(),
  actorType: r.actor_type,
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  resourceType: r.resource_type,
  resourceKey: r.resource_key,
  environmentKey: r.environment_key,
  before: r.before === null ? null : JSON.parse(r.before),
  after: r.after === null ? null : JSON.parse(r.after),
  comment: r.comment,
  requestId: r.request_id,
  prevHash: r.prev_hash,
});

// The `(COALESCE(project_id, ''), seq)` unique index serves both the chain listing and the walk.
const CHAIN = `COALESCE(project_id, '')`;

/**
 * Walks every audit chain (or one project's) in seq order, recomputing each event's hash with
 * chain.ts, and reports the first broken link of each chain. Rows are read in keyset batches, so
 * memory stays bounded on millions of events. Given a SqlClient, the walk runs in one read-only
 * REPEATABLE READ transaction: concurrent appends are not mistaken for tampering.
 */
export async function verifyAuditChains(db: Sql | SqlClient, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const run = async (sql: Sql): Promise<VerifyReport> => {
    const chains = await listChains(sql, opts.projectKey);
    const total = chains.reduce((n, c) => n + (c.head?.seq ?? 0), 0);
    const reports: ChainReport[] = [];
    let checked = 0;
    for (const c of chains) {
      const report = await walkChain(sql, c, opts.batchSize ?? 2000, (n) => {
        checked += n;
        opts.onProgress?.({ chain: c.chain, projectKey: c.projectKey, checked, total });
      });
      reports.push(report);
    }
    return {
      ok: reports.every((r) => r.issue === undefined),
      chains: reports,
      events: checked,
      ms: performance.now() - started,
    };
  };
  if ('transaction' in db && typeof db.transaction === 'function') {
    return db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return run(tx);
    });
  }
  return run(db);
}

interface ChainInfo {
  chain: string;
  projectKey: string | undefined;
  head: { seq: number; hash: string } | undefined;
}

async function listChains(sql: Sql, projectKey: string | undefined): Promise<ChainInfo[]> {
  const heads = new Map(
    (
      await sql.query<{ chain: string; seq: number | string; hash: string }>('SELECT chain, seq, hash FROM audit_heads')
    ).map((h) => [h.chain, { seq: Number(h.seq), hash: h.hash }]),
  );
  const keys = new Map(
    (await sql.query<{ id: string; key: string }>('SELECT id, key FROM projects')).map((p) => [p.id, p.key]),
  );
  let ids: string[];
  if (projectKey !== undefined) {
    const byKey = [...keys].find(([, key]) => key === projectKey)?.[0];
    const id = byKey ?? projectKey;
    const [exists] = heads.has(id)
      ? [{}]
      : await sql.query(`SELECT 1 FROM audit_events WHERE ${CHAIN} = $1 LIMIT 1`, [id]);
    if (byKey === undefined && !exists)
      throw new UnknownChainError(`no project "${projectKey}" and no audit chain with that id`);
    ids = [id];
  } else {
    // Distinct chains by skipping through the index (one probe per chain, not a scan of every row).
    const inEvents = await sql.query<{ chain: string }>(
      `WITH RECURSIVE c(chain) AS (
         (SELECT ${CHAIN} FROM audit_events ORDER BY 1 LIMIT 1)
         UNION ALL
         SELECT (SELECT ${CHAIN} FROM audit_events WHERE ${CHAIN} > c.chain ORDER BY 1 LIMIT 1) FROM c WHERE c.chain IS NOT NULL
       ) SELECT chain FROM c WHERE chain IS NOT NULL`,
    );
    ids = [...new Set([...heads.keys(), ...inEvents.map((r) => r.chain)])].sort((a, b) =>
      a === '' ? -1 : b === '' ? 1 : (keys.get(a) ?? `~${a}`).localeCompare(keys.get(b) ?? `~${b}`),
    );
  }
  return ids.map((chain) => ({ chain, projectKey: keys.get(chain), head: heads.get(chain) }));
}

async function walkChain(
  sql: Sql,
  c: ChainInfo,
  batchSize: number,
  progress: (n: number) => void,
): Promise<ChainReport> {
  let expected = 1;
  let prevHash = '';
  let prevId = 0;
  let events = 0;
  let issue: ChainIssue | undefined;
  const fetch = (from: number) =>
    sql.query<AuditEventRow>(
      `SELECT id, project_id, seq, at, actor_type, actor_id, actor_name, action, resource_type, resource_key,
              environment_key, before::text AS before, after::text AS after, comment, request_id, prev_hash, hash
       FROM audit_events WHERE ${CHAIN} = $1 AND seq >= $2 ORDER BY ${CHAIN}, seq LIMIT $3`,
      [c.chain, from, batchSize],
    );
  let pending: Promise<AuditEventRow[]> | undefined = fetch(1);
  while (pending) {
    const rows: AuditEventRow[] = await pending;
    // Ask for the next batch before hashing this one, so the database reads while we hash.
    const lastRow = rows[rows.length - 1];
    pending = rows.length === batchSize && lastRow ? fetch(Number(lastRow.seq) + 1) : undefined;
    let n = 0;
    for (const r of rows) {
      n++;
      const seq = Number(r.seq);
      const id = Number(r.id);
      issue = checkRow(r, seq, id, expected, prevHash, prevId);
      if (issue) break;
      expected = seq + 1;
      prevHash = r.hash;
      prevId = id;
    }
    events += n;
    progress(n);
    if (issue) {
      await pending?.catch(() => {});
      break;
    }
  }
  const last = expected - 1;
  if (!issue) issue = checkHead(c, last, prevHash);
  return { chain: c.chain, projectKey: c.projectKey, events, headSeq: c.head?.seq, issue };
}

function checkRow(
  r: AuditEventRow,
  seq: number,
  id: number,
  expected: number,
  prevHash: string,
  prevId: number,
): ChainIssue | undefined {
  if (seq > expected) {
    const range = seq - 1 > expected ? `seqs ${expected}..${seq - 1} are` : `seq ${expected} is`;
    return { seq: expected, reason: 'missing', detail: `${range} missing (deleted); the chain resumes at seq ${seq}` };
  }
  if (seq < expected) return { seq, id, reason: 'reordered', detail: `seq ${seq} appears twice` };
  let hash: string;
  try {
    hash = eventHash(rowFields(r));
  } catch {
    hash = '';
  }
  if (hash !== r.hash)
    return {
      seq,
      id,
      reason: 'edited',
      detail: `event ${seq} (id ${id}) was changed after it was written: its hash does not match its content`,
    };
  if (r.prev_hash !== prevHash)
    return {
      seq,
      id,
      reason: 'broken-link',
      detail:
        seq === 1
          ? 'the first event does not start the chain (prev_hash is not empty)'
          : `prev_hash does not match the hash of seq ${seq - 1}: seq ${seq - 1} was replaced, or this event was inserted or moved`,
    };
  if (id <= prevId)
    return {
      seq,
      id,
      reason: 'reordered',
      detail: `event ${seq} has id ${id}, not after seq ${seq - 1}'s id ${prevId}`,
    };
  return undefined;
}

function checkHead(c: ChainInfo, last: number, lastHash: string): ChainIssue | undefined {
  if (!c.head) {
    return last === 0
      ? undefined
      : { seq: last, reason: 'head-missing', detail: 'events exist but the chain head (audit_heads) was deleted' };
  }
  const { seq, hash } = c.head;
  if (seq > last) {
    const range = seq > last + 1 ? `seqs ${last + 1}..${seq} are` : `seq ${seq} is`;
    return {
      seq: last + 1,
      reason: 'head-mismatch',
      detail: `the head is at seq ${seq} but the chain ends at ${last}: ${range} missing (the newest events were deleted)`,
    };
  }
  if (seq < last)
    return {
      seq: seq + 1,
      reason: 'head-mismatch',
      detail: `events past the head (seq ${seq}) up to seq ${last} were added outside the audit log`,
    };
  if (hash !== lastHash)
    return {
      seq,
      reason: 'head-mismatch',
      detail: `the last event (seq ${seq}) is not the one the head recorded: it was replaced`,
    };
  return undefined;
}
