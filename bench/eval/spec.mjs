// The four scenarios, stated once, abstractly. Every system module (scenarios/*.mjs) expresses
// them in its own native flag format; the floor (scenarios/floor.mjs) hand-codes them.
//
// S1  flag on, no rules, boolean: always true.
// S2  one rule: country in [US, CA] -> true, else false.
// S3  50/50 percentage rollout on the context key, boolean variations.
// S4  ten rules of two clauses each, only the last of which ever matches a context of the pool,
//     the last one holding a segment check; -> true when a rule matches, else false.

export const SCENARIOS = ['S1', 'S2', 'S3', 'S4'];

export const SCENARIO_TITLES = {
  S1: 'on, no rules',
  S2: 'country in [US,CA]',
  S3: '50/50 rollout',
  S4: '10 rules + segment',
};

/** Flag keys, the same in every system. */
export const FLAG_KEYS = { S1: 'bench-s1', S2: 'bench-s2', S3: 'bench-s3', S4: 'bench-s4' };

export const S2_COUNTRIES = ['US', 'CA'];

/** Percentage of contexts served true by S3. */
export const S3_PERCENT = 50;

export const SEGMENT_KEY = 'power-users';

/**
 * The segment of S4: plan in [pro, enterprise] and age >= 21.
 * A clause is {attribute, op, ...}; ops: in (values), gt/gte (value), startsWith (values),
 * regex (pattern, plus `literal`: the same test as plain startsWith/endsWith strings, for an
 * engine without regular expressions), segment (key).
 */
export const SEGMENT_CLAUSES = [
  { attribute: 'plan', op: 'in', values: ['pro', 'enterprise'] },
  { attribute: 'age', op: 'gte', value: 21 },
];

/**
 * S4's rules in order. Rules 0-8 pass their first clause for ~30% of contexts (so their second
 * clause is evaluated too), but their second clause holds for no context of the pool; rule 9
 * matches ~15% of contexts. contexts.mjs generates no e-mail that starts with one of the
 * prefixes below, and no age above 90.
 */
export const S4_RULES = [
  [cin(['US', 'GB', 'JP']), { attribute: 'age', op: 'gt', value: 120 }],
  [cin(['CA', 'DE', 'BR']), { attribute: 'email', op: 'startsWith', values: ['admin-'] }],
  [cin(['FR', 'IN', 'AU']), regexStarts('^(root|ops)@', ['root@', 'ops@'])],
  [cin(['US', 'CA', 'MX']), { attribute: 'age', op: 'gt', value: 130 }],
  [cin(['GB', 'DE', 'FR']), { attribute: 'email', op: 'startsWith', values: ['test-'] }],
  [cin(['JP', 'BR', 'IN']), regexStarts('^(qa|dev)@', ['qa@', 'dev@'])],
  [cin(['US', 'AU', 'MX']), { attribute: 'age', op: 'gt', value: 140 }],
  [cin(['CA', 'GB', 'JP']), { attribute: 'email', op: 'startsWith', values: ['noreply-'] }],
  [cin(['DE', 'FR', 'US']), regexStarts('^(bot|svc)@', ['bot@', 'svc@'])],
  [
    {
      attribute: 'email',
      op: 'regex',
      pattern: '@(corp|staff)\\.example$',
      literal: { op: 'endsWith', values: ['@corp.example', '@staff.example'] },
    },
    { op: 'segment', key: SEGMENT_KEY },
  ],
];

function cin(values) {
  return { attribute: 'country', op: 'in', values };
}

function regexStarts(pattern, prefixes) {
  return { attribute: 'email', op: 'regex', pattern, literal: { op: 'startsWith', values: prefixes } };
}

// A slow, obvious reference interpreter of the clauses above. Sanity checks compare the floor
// with it over the whole pool, so a typo in the floor cannot go unnoticed.

const regexCache = new Map();

export function clauseHolds(clause, person) {
  switch (clause.op) {
    case 'in':
      return clause.values.includes(person[clause.attribute]);
    case 'gt':
      return person[clause.attribute] > clause.value;
    case 'gte':
      return person[clause.attribute] >= clause.value;
    case 'startsWith':
      return clause.values.some((v) => person[clause.attribute].startsWith(v));
    case 'regex': {
      let re = regexCache.get(clause.pattern);
      if (!re) {
        re = new RegExp(clause.pattern);
        regexCache.set(clause.pattern, re);
      }
      const viaRegex = re.test(person[clause.attribute]);
      const { op, values } = clause.literal;
      const viaLiteral = values.some((v) => person[clause.attribute][op](v));
      if (viaRegex !== viaLiteral) throw new Error(`spec: regex ${clause.pattern} and its literal form disagree`);
      return viaRegex;
    }
    case 'segment':
      return SEGMENT_CLAUSES.every((c) => clauseHolds(c, person));
    default:
      throw new Error(`spec: unknown op ${clause.op}`);
  }
}

/** Index of the first S4 rule whose clauses all hold, or -1. */
export const s4FirstMatch = (person) => S4_RULES.findIndex((rule) => rule.every((c) => clauseHolds(c, person)));

export function referenceValue(scenario, person) {
  switch (scenario) {
    case 'S1':
      return true;
    case 'S2':
      return S2_COUNTRIES.includes(person.country);
    case 'S4':
      return s4FirstMatch(person) >= 0;
    default:
      return undefined; // S3: a hash; checked by distribution (and exactly against the floor for Vexil)
  }
}
