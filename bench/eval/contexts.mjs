// The context pool: POOL_SIZE people drawn with a seeded PRNG, so every run (and every system)
// evaluates exactly the same contexts. Systems convert these to their native context shape before
// any timing starts.

export const POOL_SIZE = 100_000;
export const DEFAULT_SEED = 0x5eed_f1a6;

/** sfc32: small, fast, good enough for test data, and reproducible across Node versions. */
export function prng(seed) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** [value, weight] pairs -> a picker. */
function weighted(pairs) {
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  return (r) => {
    let x = r * total;
    for (const [v, w] of pairs) {
      if (x < w) return v;
      x -= w;
    }
    return pairs[pairs.length - 1][0];
  };
}

export const COUNTRIES = ['US', 'CA', 'GB', 'DE', 'FR', 'JP', 'BR', 'IN', 'AU', 'MX'];
const pickCountry = weighted([
  ['US', 25],
  ['CA', 10],
  ['GB', 10],
  ['DE', 10],
  ['FR', 10],
  ['JP', 8],
  ['BR', 8],
  ['IN', 9],
  ['AU', 5],
  ['MX', 5],
]);
const pickPlan = weighted([
  ['free', 45],
  ['pro', 30],
  ['team', 15],
  ['enterprise', 10],
]);
const pickDomain = weighted([
  ['gmail.com', 35],
  ['corp.example', 25],
  ['staff.example', 10],
  ['example.org', 20],
  ['mail.example.net', 10],
]);
const FIRST = ['ana', 'ben', 'chloe', 'dmitri', 'emma', 'farid', 'grace', 'hiro', 'ines', 'jonas', 'kofi', 'lea'];
const LAST = ['ng', 'smith', 'garcia', 'muller', 'rossi', 'tanaka', 'silva', 'khan', 'dubois', 'kowalski'];

/**
 * A person: {key: "user-<i>", country, plan, age (16..90), email}. No e-mail starts with
 * "admin-", "test-", "noreply-" or "<root|ops|qa|dev|bot|svc>@", which S4 relies on.
 */
export function buildPeople(size = POOL_SIZE, seed = DEFAULT_SEED) {
  const r = prng(seed);
  const people = new Array(size);
  for (let i = 0; i < size; i++) {
    const first = FIRST[Math.floor(r() * FIRST.length)];
    const last = LAST[Math.floor(r() * LAST.length)];
    people[i] = {
      key: `user-${i}`,
      country: pickCountry(r()),
      plan: pickPlan(r()),
      age: 16 + Math.floor(r() * 75),
      email: `${first}.${last}${Math.floor(r() * 1000)}@${pickDomain(r())}`,
    };
  }
  return people;
}
