import { createHash } from 'node:crypto';

/** JSON with keys sorted at every level: the same value always hashes the same, whatever the store reordered. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The fields of an audit event that its hash covers (everything but the row id and the hash). */
export interface ChainedFields {
  projectId: string | null;
  seq: number;
  at: string;
  actorType: string;
  actorId: string;
  actorName: string;
  action: string;
  resourceType: string;
  resourceKey: string;
  environmentKey: string | null;
  before: unknown;
  after: unknown;
  comment: string;
  requestId: string;
  prevHash: string;
}

/** sha256 over the previous hash and the event: editing, deleting or reordering any row breaks the chain after it. */
export const eventHash = (e: ChainedFields): string => createHash('sha256').update(canonicalJson(e)).digest('hex');
