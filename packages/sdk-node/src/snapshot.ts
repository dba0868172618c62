/**
 * The shapes flag data arrives in, checked before anything is applied. Wire formats:
 * docs/wire-protocol.md (GET /sdk/v1/flags, the `put`, `patch` and `delete` stream events).
 */

/**
 * An environment's flags and segments: as the server sends them (objects by key, with
 * `environmentId` and `seq`), or as arrays (the format of testdata/evaluation and of
 * `createEvaluator`).
 */
export interface SnapshotInput {
  environmentId?: string;
  seq?: number;
  flags?: Readonly<Record<string, unknown>> | readonly unknown[];
  segments?: Readonly<Record<string, unknown>> | readonly unknown[];
}

export interface NormalizedSnapshot {
  environmentId: string | undefined;
  seq: number | undefined;
  flags: unknown[];
  segments: unknown[];
}

export interface EntityChange {
  kind: 'flag' | 'segment';
  key: string;
}

export interface PatchMessage extends EntityChange {
  data: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function list(v: unknown, name: string): unknown[] | string {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return `${name} must be an array or an object by key`;
}

/** The snapshot, or a message saying why it is not one. */
export function normalizeSnapshot(input: unknown): NormalizedSnapshot | string {
  if (!isObject(input)) return 'a snapshot must be an object {flags, segments}';
  if (input.flags === undefined) return 'a snapshot needs flags';
  const flags = list(input.flags, 'flags');
  if (typeof flags === 'string') return flags;
  const segments = list(input.segments, 'segments');
  if (typeof segments === 'string') return segments;
  const seq = input.seq;
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0))
    return 'seq must be a non-negative integer';
  const environmentId = typeof input.environmentId === 'string' ? input.environmentId : undefined;
  return { environmentId, seq, flags, segments };
}

const entityOf = (data: unknown): EntityChange | string => {
  if (!isObject(data)) return 'the event data must be an object';
  if (data.kind !== 'flag' && data.kind !== 'segment') return 'kind must be "flag" or "segment"';
  if (typeof data.key !== 'string' || data.key === '') return 'key must be a non-empty string';
  return { kind: data.kind, key: data.key };
};

/** A `patch` event: `{kind, key, version, data}`; `data.key` must be the same key. */
export function parsePatch(data: unknown): PatchMessage | string {
  const e = entityOf(data);
  if (typeof e === 'string') return e;
  const body = (data as Record<string, unknown>).data;
  if (!isObject(body)) return 'data must be the flag or segment';
  if (body.key !== e.key) return `data.key must be "${e.key}"`;
  return { ...e, data: body };
}

/** A `delete` event: `{kind, key}`. */
export function parseDelete(data: unknown): EntityChange | string {
  return entityOf(data);
}
