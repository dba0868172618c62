/**
 * One Unleash constraint as Vexil clauses.
 *
 * | Unleash | Vexil |
 * |---|---|
 * | IN / NOT_IN | `in` / `in` + negate (a missing field fails IN and passes NOT_IN, in both) |
 * | STR_STARTS_WITH / STR_ENDS_WITH / STR_CONTAINS | `startsWith` / `endsWith` / `contains`, `caseInsensitive` kept |
 * | NUM_GT / NUM_GTE / NUM_LT / NUM_LTE | `greaterThan` / … / `lessThanOrEqual` |
 * | NUM_EQ | `lessThanOrEqual` and `greaterThanOrEqual`; inverted: two alternatives, each one negated |
 * | DATE_AFTER / DATE_BEFORE | `after` / `before` on `currentTime` (strict in both) |
 * | SEMVER_EQ / GT / GTE / LT / LTE | `semVerEqual` / … (strict SemVer 2.0 in both) |
 * | REGEX | `matches` (RE2 syntax, searched anywhere, `caseInsensitive` kept) |
 * | IN_CIDR | `inCidr`; entries that are not addresses or ranges are dropped, with a warning |
 * | `inverted` | `negate` |
 * | anything else | never holds, inverted or not (as in Unleash clients), with a warning |
 *
 * An operand that Unleash cannot parse (a SemVer `v2.0.0`, an invalid pattern) makes its
 * operator never hold; Vexil rejects such operands, so the clause becomes `<field> in []`
 * (negated when the constraint is inverted, which then always holds), with a warning.
 */
import type { Clause, Operator } from '../model/clause.js';
import { parseCidr } from '../operators/cidr.js';
import { parseDate } from '../operators/dates.js';
import { toNumber } from '../operators/numbers.js';
import { parseSemVer } from '../operators/semver.js';
import { compileRegex } from '../regex/index.js';
import { pointer } from '../schema/check.js';
import { MAX_ATTRIBUTE_LENGTH, unleashAttribute } from './attributes.js';
import { type Dnf, never, or, single } from './conditions.js';
import { isObject } from './guards.js';
import type { Warn } from './types.js';

const STRING_OPS = {
  STR_STARTS_WITH: 'startsWith',
  STR_ENDS_WITH: 'endsWith',
  STR_CONTAINS: 'contains',
} as const satisfies Record<string, Operator>;

const NUMBER_OPS = {
  NUM_GT: 'greaterThan',
  NUM_GTE: 'greaterThanOrEqual',
  NUM_LT: 'lessThan',
  NUM_LTE: 'lessThanOrEqual',
} as const satisfies Record<string, Operator>;

const SEMVER_OPS = {
  SEMVER_EQ: 'semVerEqual',
  SEMVER_GT: 'semVerGreaterThan',
  SEMVER_GTE: 'semVerGreaterThanOrEqual',
  SEMVER_LT: 'semVerLessThan',
  SEMVER_LTE: 'semVerLessThanOrEqual',
} as const satisfies Record<string, Operator>;

const DATE_OPS = { DATE_AFTER: 'after', DATE_BEFORE: 'before' } as const satisfies Record<string, Operator>;

const has = <T extends object>(table: T, key: string): key is Extract<keyof T, string> => Object.hasOwn(table, key);

export function translateConstraint(input: unknown, path: string, warn: Warn): Dnf {
  if (!isObject(input)) {
    warn(path, 'not a constraint object: translated as never holding');
    return single(never());
  }
  const operator = typeof input.operator === 'string' ? input.operator : String(input.operator);
  if (typeof input.contextName !== 'string') {
    warn(pointer(path, 'contextName'), 'missing contextName: the constraint never holds');
    return single(never());
  }
  const contextName = input.contextName;
  const inverted = input.inverted === true;
  const caseInsensitive = input.caseInsensitive === true;

  let attribute = unleashAttribute(contextName);
  if (has(DATE_OPS, operator) && contextName !== 'currentTime') {
    warn(
      pointer(path, 'contextName'),
      `Unleash compares dates with currentTime, not "${contextName}"; so does the translation`,
    );
    attribute = 'currentTime';
  }
  if (attribute.length > MAX_ATTRIBUTE_LENGTH) {
    warn(
      pointer(path, 'contextName'),
      `context field name longer than ${MAX_ATTRIBUTE_LENGTH} characters: the constraint never holds`,
    );
    return single(never());
  }

  const clause = (op: Operator, values: Clause['values'], negate = inverted, ci = false): Clause => {
    const c: Clause = { attribute, op, values };
    if (negate) c.negate = true;
    if (ci) c.caseInsensitive = true;
    return c;
  };
  const neverHolds = (at: string, why: string): Dnf => {
    warn(at, `${why}: the operator never holds${inverted ? ', so this inverted constraint always holds' : ''}`);
    return single(clause('in', []));
  };
  const valuePath = pointer(path, 'value');

  if (operator === 'IN' || operator === 'NOT_IN') {
    const values = stringValues(input.values, path, warn);
    return single(clause('in', values, (operator === 'NOT_IN') !== inverted));
  }

  if (has(STRING_OPS, operator)) {
    return single(clause(STRING_OPS[operator], stringValues(input.values, path, warn), inverted, caseInsensitive));
  }

  if (operator === 'IN_CIDR') {
    const valid: string[] = [];
    stringValues(input.values, path, warn).forEach((v, i) => {
      if (parseCidr(v) !== undefined) valid.push(v);
      else
        warn(
          pointer(pointer(path, 'values'), i),
          `"${v}" is not an IP address or CIDR range: dropped, as Unleash ignores it`,
        );
    });
    return single(clause('inCidr', valid));
  }

  if (operator === 'NUM_EQ' || has(NUMBER_OPS, operator)) {
    const raw = input.value;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n)) return neverHolds(valuePath, `${JSON.stringify(raw ?? null)} is not a number`);
    // Keep the text when Vexil reads it the same way; otherwise the number Unleash reads ("0x10").
    const operand = typeof raw === 'string' && toNumber(raw) === n ? raw : n;
    if (operator !== 'NUM_EQ') return single(clause(NUMBER_OPS[operator], [operand]));
    const atMost: Clause = { attribute, op: 'lessThanOrEqual', values: [operand] };
    const atLeast: Clause = { attribute, op: 'greaterThanOrEqual', values: [operand] };
    if (!inverted) return [[atMost, atLeast]];
    // not (a ≤ v and a ≥ v) = not (a ≤ v) or not (a ≥ v); a missing field satisfies both, as in Unleash.
    return or(single({ ...atMost, negate: true }), single({ ...atLeast, negate: true }));
  }

  if (has(DATE_OPS, operator)) {
    const raw = input.value;
    if (typeof raw !== 'string') return neverHolds(valuePath, 'no date value');
    if (parseDate(raw) !== undefined) return single(clause(DATE_OPS[operator], [raw]));
    const ms = Date.parse(raw);
    if (!Number.isFinite(ms)) return neverHolds(valuePath, `"${raw}" is not a date`);
    warn(
      valuePath,
      `"${raw}" has no UTC offset; read as ${new Date(ms).toISOString()} (the translating machine's time zone)`,
    );
    return single(clause(DATE_OPS[operator], [ms]));
  }

  if (has(SEMVER_OPS, operator)) {
    const raw = input.value;
    if (typeof raw !== 'string' || parseSemVer(raw) === undefined) {
      return neverHolds(valuePath, `${JSON.stringify(raw ?? null)} is not a SemVer 2.0 version`);
    }
    return single(clause(SEMVER_OPS[operator], [raw]));
  }

  if (operator === 'REGEX') {
    const raw = input.value;
    if (typeof raw !== 'string') return neverHolds(valuePath, 'no pattern');
    const compiled = compileRegex(raw, { caseInsensitive });
    if (!compiled.ok)
      return neverHolds(valuePath, `pattern ${JSON.stringify(raw)} is not valid RE2 (${compiled.error})`);
    return single(clause('matches', [raw], inverted, caseInsensitive));
  }

  warn(
    pointer(path, 'operator'),
    `unknown operator "${operator}": the constraint never holds, inverted or not, as in Unleash clients`,
  );
  return single(never(attribute));
}

function stringValues(values: unknown, path: string, warn: Warn): string[] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) {
    warn(pointer(path, 'values'), 'values is not a list: treated as empty');
    return [];
  }
  const out: string[] = [];
  values.forEach((v, i) => {
    if (typeof v === 'string') out.push(v);
    else
      warn(
        pointer(pointer(path, 'values'), i),
        `${JSON.stringify(v)} is not a string: dropped (Unleash compares strings)`,
      );
  });
  return out;
}
