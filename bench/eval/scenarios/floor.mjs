// The floor: each scenario hand-written as plain JavaScript, no engine. What a flag costs when
// it is compiled into the program: reading attributes and the if-statements, and for S3 the
// same murmur3 bucketing as Vexil. Every other system's results are checked against these.
import { bucketPrefix, vexilBucket } from '../core.mjs';
import { FLAG_KEYS } from '../spec.mjs';

export const name = 'floor';
export const description = 'hand-written if-statements (S3: Vexil murmur3 bucket), no engine';

/** Same object shape as the Vexil contexts, so both read the same hidden class. */
export const toContext = (p) => ({
  kind: 'user',
  key: p.key,
  country: p.country,
  plan: p.plan,
  age: p.age,
  email: p.email,
});

const S3_PREFIX = bucketPrefix('vexil', FLAG_KEYS.S3); // a Vexil flag's salt defaults to its key

// S4's regex clauses as native RegExps, built once.
const RE_ROOT_OPS = /^(root|ops)@/;
const RE_QA_DEV = /^(qa|dev)@/;
const RE_BOT_SVC = /^(bot|svc)@/;
const RE_CORP = /@(corp|staff)\.example$/;

const evaluators = {
  S1: () => true,
  S2: (c) => {
    const country = c.country;
    return country === 'US' || country === 'CA';
  },
  S3: (c) => vexilBucket(S3_PREFIX, c.key) >= 50_000,
  S4: (c) => {
    const country = c.country;
    const age = c.age;
    const email = c.email;
    if ((country === 'US' || country === 'GB' || country === 'JP') && age > 120) return true;
    if ((country === 'CA' || country === 'DE' || country === 'BR') && email.startsWith('admin-')) return true;
    if ((country === 'FR' || country === 'IN' || country === 'AU') && RE_ROOT_OPS.test(email)) return true;
    if ((country === 'US' || country === 'CA' || country === 'MX') && age > 130) return true;
    if ((country === 'GB' || country === 'DE' || country === 'FR') && email.startsWith('test-')) return true;
    if ((country === 'JP' || country === 'BR' || country === 'IN') && RE_QA_DEV.test(email)) return true;
    if ((country === 'US' || country === 'AU' || country === 'MX') && age > 140) return true;
    if ((country === 'CA' || country === 'GB' || country === 'JP') && email.startsWith('noreply-')) return true;
    if ((country === 'DE' || country === 'FR' || country === 'US') && RE_BOT_SVC.test(email)) return true;
    if (RE_CORP.test(email) && inPowerUsers(c)) return true;
    return false;
  },
};

function inPowerUsers(c) {
  const plan = c.plan;
  return (plan === 'pro' || plan === 'enterprise') && c.age >= 21;
}

// Applications ask for a flag by its key, so the floor does too: one Map lookup, then the
// hand-written function. Without it S1 would measure an empty loop (about 1 ns).
const byKey = new Map(Object.entries(evaluators).map(([scenario, fn]) => [FLAG_KEYS[scenario], fn]));

export async function setup(scenario) {
  const key = FLAG_KEYS[scenario];
  return { toContext, evaluate: (c) => byKey.get(key)(c), close() {} };
}

/** The expected value for a person (sanity checks). */
export const expected = (scenario, person) => evaluators[scenario](toContext(person));
