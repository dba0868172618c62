import type { Operator } from '../model/clause.js';
import { compileRegex, type SafeRegex } from '../regex/index.js';
import { type CidrRange, inRange, parseCidr, parseIp } from './cidr.js';
import { parseDate } from './dates.js';
import { toNumber } from './numbers.js';
import { compareSemVer, parseSemVer, type SemVer } from './semver.js';

/** Tests one attribute value (never an array: the caller applies it to each element). */
export type ValueTest = (value: unknown) => boolean;

export interface OperandProblem {
  /** Index into the clause's values, or null for the clause as a whole. */
  index: number | null;
  message: string;
}

export type Prepared = { ok: true; test: ValueTest } | { ok: false; problems: OperandProblem[] };

export type ValueOperator = Exclude<Operator, 'exists' | 'segmentMatch' | 'percentage'>;

/**
 * Turns a value operator and its clause values into a test, doing every parse, regex
 * compilation and case fold here, once, so evaluation does none of it. Validation calls the same
 * function, so what validates is exactly what compiles.
 */
export function prepareOperator(op: ValueOperator, values: readonly unknown[], caseInsensitive = false): Prepared {
  switch (op) {
    case 'in':
      return prepareIn(values, caseInsensitive);
    case 'startsWith':
    case 'endsWith':
    case 'contains':
      return prepareString(op, values, caseInsensitive);
    case 'matches':
      return prepareMatches(values, caseInsensitive);
    case 'lessThan':
    case 'lessThanOrEqual':
    case 'greaterThan':
    case 'greaterThanOrEqual':
      return prepareOrdered(values, toNumber, (a, b) => a - b, op, 'a number');
    case 'before':
      return prepareOrdered(values, parseDate, (a, b) => a - b, 'lessThan', 'an RFC 3339 date or epoch milliseconds');
    case 'after':
      return prepareOrdered(
        values,
        parseDate,
        (a, b) => a - b,
        'greaterThan',
        'an RFC 3339 date or epoch milliseconds',
      );
    case 'semVerEqual':
    case 'semVerLessThan':
    case 'semVerLessThanOrEqual':
    case 'semVerGreaterThan':
    case 'semVerGreaterThanOrEqual':
      return prepareOrdered(values, asSemVer, compareSemVer, SEMVER_ORDER[op], 'a SemVer 2.0 version');
    case 'inCidr':
      return prepareCidr(values);
  }
}

type Order = 'equal' | 'lessThan' | 'lessThanOrEqual' | 'greaterThan' | 'greaterThanOrEqual';
type SemVerOperator = Extract<ValueOperator, `semVer${string}`>;
const SEMVER_ORDER: Record<SemVerOperator, Order> = {
  semVerEqual: 'equal',
  semVerLessThan: 'lessThan',
  semVerLessThanOrEqual: 'lessThanOrEqual',
  semVerGreaterThan: 'greaterThan',
  semVerGreaterThanOrEqual: 'greaterThanOrEqual',
};

const asSemVer = (v: unknown): SemVer | undefined => (typeof v === 'string' ? parseSemVer(v) : undefined);

const fold = (s: string) => s.toLowerCase();

function prepareIn(values: readonly unknown[], caseInsensitive: boolean): Prepared {
  const problems: OperandProblem[] = [];
  values.forEach((v, index) => {
    const t = typeof v;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') {
      problems.push({ index, message: 'must be a string, number or boolean' });
    }
  });
  if (problems.length) return { ok: false, problems };
  const list = caseInsensitive ? values.map((v) => (typeof v === 'string' ? fold(v) : v)) : [...values];
  // A short list scans faster than a Set lookup hashes; the crossover is around eight entries.
  if (list.length <= 8) {
    if (caseInsensitive) return { ok: true, test: (v) => list.includes(typeof v === 'string' ? fold(v) : v) };
    if (list.length === 1) {
      const only = list[0];
      return { ok: true, test: (v) => v === only };
    }
    if (list.length === 2) {
      const [a, b] = list;
      return { ok: true, test: (v) => v === a || v === b };
    }
    return { ok: true, test: (v) => list.includes(v) };
  }
  const set = new Set(list);
  if (caseInsensitive) return { ok: true, test: (v) => set.has(typeof v === 'string' ? fold(v) : v) };
  return { ok: true, test: (v) => set.has(v) };
}

function stringsOnly(values: readonly unknown[]): OperandProblem[] {
  const problems: OperandProblem[] = [];
  values.forEach((v, index) => {
    if (typeof v !== 'string') problems.push({ index, message: 'must be a string' });
  });
  return problems;
}

function prepareString(op: 'startsWith' | 'endsWith' | 'contains', values: readonly unknown[], ci: boolean): Prepared {
  const problems = stringsOnly(values);
  if (problems.length) return { ok: false, problems };
  const list = (values as string[]).map((s) => (ci ? fold(s) : s));
  const one =
    op === 'startsWith'
      ? (s: string, p: string) => s.startsWith(p)
      : op === 'endsWith'
        ? (s: string, p: string) => s.endsWith(p)
        : (s: string, p: string) => s.includes(p);
  return {
    ok: true,
    test: (v) => {
      if (typeof v !== 'string') return false;
      const s = ci ? fold(v) : v;
      for (const p of list) if (one(s, p)) return true;
      return false;
    },
  };
}

function prepareMatches(values: readonly unknown[], caseInsensitive: boolean): Prepared {
  const problems = stringsOnly(values);
  const regexes: SafeRegex[] = [];
  values.forEach((v, index) => {
    if (typeof v !== 'string') return;
    const r = compileRegex(v, { caseInsensitive });
    if (r.ok) regexes.push(r.regex);
    else problems.push({ index, message: `invalid pattern: ${r.error}` });
  });
  if (problems.length) return { ok: false, problems };
  if (regexes.length === 1) {
    const only = regexes[0] as SafeRegex;
    return { ok: true, test: (v) => typeof v === 'string' && only.test(v) };
  }
  return { ok: true, test: (v) => typeof v === 'string' && regexes.some((r) => r.test(v)) };
}

function prepareOrdered<T>(
  values: readonly unknown[],
  parse: (v: unknown) => T | undefined,
  compare: (a: T, b: T) => number,
  order: Order,
  what: string,
): Prepared {
  const problems: OperandProblem[] = [];
  const operands: T[] = [];
  values.forEach((v, index) => {
    const parsed = parse(v);
    if (parsed === undefined) problems.push({ index, message: `must be ${what}` });
    else operands.push(parsed);
  });
  if (problems.length) return { ok: false, problems };
  const holds = ORDER_TESTS[order];
  if (operands.length === 1) {
    const only = operands[0] as T;
    return {
      ok: true,
      test: (v) => {
        const x = parse(v);
        return x !== undefined && holds(compare(x, only));
      },
    };
  }
  return {
    ok: true,
    test: (v) => {
      const x = parse(v);
      if (x === undefined) return false;
      for (const o of operands) if (holds(compare(x, o))) return true;
      return false;
    },
  };
}

const ORDER_TESTS: Record<Order, (c: number) => boolean> = {
  equal: (c) => c === 0,
  lessThan: (c) => c < 0,
  lessThanOrEqual: (c) => c <= 0,
  greaterThan: (c) => c > 0,
  greaterThanOrEqual: (c) => c >= 0,
};

function prepareCidr(values: readonly unknown[]): Prepared {
  const problems: OperandProblem[] = [];
  const ranges: CidrRange[] = [];
  values.forEach((v, index) => {
    const r = typeof v === 'string' ? parseCidr(v) : undefined;
    if (r) ranges.push(r);
    else problems.push({ index, message: 'must be an IPv4 or IPv6 address or CIDR range' });
  });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    test: (v) => {
      if (typeof v !== 'string') return false;
      const ip = parseIp(v);
      return ip !== undefined && ranges.some((r) => inRange(ip, r));
    },
  };
}
