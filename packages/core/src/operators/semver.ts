/**
 * A parsed SemVer 2.0 version. Numbers stay digit strings, compared by length then digits, so
 * versions of any size order correctly (SemVer sets no limit). Build metadata never affects order
 * and is dropped.
 */
export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  /** Pre-release identifiers; numeric ones are marked so they sort below alphanumeric ones. */
  prerelease: readonly { numeric: boolean; value: string }[];
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Strict SemVer 2.0: "1.2.3-rc.1+build". "v1.2.3", "1.2" and leading zeros are not versions. */
export function parseSemVer(input: string): SemVer | undefined {
  if (input.length > 256) return undefined;
  const m = SEMVER.exec(input);
  if (!m) return undefined;
  const prerelease = m[4] ? m[4].split('.').map((value) => ({ numeric: /^\d+$/.test(value), value })) : [];
  return { major: m[1] as string, minor: m[2] as string, patch: m[3] as string, prerelease };
}

/** Digit strings without leading zeros: the longer is larger, else compare digit by digit. */
const compareDigits = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** SemVer precedence: negative, zero or positive. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (core !== 0) return core;
  const pa = a.prerelease;
  const pb = b.prerelease;
  // A release ranks above any of its pre-releases.
  if (pa.length === 0 || pb.length === 0) return pb.length - pa.length;
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as SemVer['prerelease'][number];
    const y = pb[i] as SemVer['prerelease'][number];
    if (x.numeric && y.numeric) {
      const c = compareDigits(x.value, y.value);
      if (c !== 0) return c;
    } else if (x.numeric !== y.numeric) return x.numeric ? -1 : 1;
    else if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return pa.length - pb.length;
}
