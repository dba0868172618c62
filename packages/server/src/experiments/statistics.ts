/**
 * The few distributions an experiment readout needs, in closed form or by the classic series
 * (Abramowitz & Stegun 7.1.26 for erf; the regularized incomplete gamma for chi-square tails).
 */

/** Standard normal CDF; absolute error under 1.5e-7. */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-sided p-value of a z statistic. */
export const twoSidedP = (z: number) => 2 * (1 - normalCdf(Math.abs(z)));

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularized upper incomplete gamma function Q(a, x). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lg = logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x).
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lg);
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** P(X ≥ x) for X ~ chi-square with `df` degrees of freedom. */
export const chiSquareSurvival = (x: number, df: number) => gammaQ(df / 2, x / 2);

export interface ProportionComparison {
  /** Treatment rate minus control rate. */
  difference: number;
  /** Relative change of the rate against control (null when control converts nobody). */
  lift: number | null;
  /** 95 % interval of the difference (unpooled standard error). */
  ci95: [number, number];
  /** Two-sided p-value of the two-proportion z-test (pooled). */
  pValue: number;
}

export function compareProportions(
  control: { n: number; x: number },
  treatment: { n: number; x: number },
): ProportionComparison | null {
  if (control.n === 0 || treatment.n === 0) return null;
  const pc = control.x / control.n;
  const pt = treatment.x / treatment.n;
  const difference = pt - pc;
  const se = Math.sqrt((pc * (1 - pc)) / control.n + (pt * (1 - pt)) / treatment.n);
  const pooled = (control.x + treatment.x) / (control.n + treatment.n);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  return {
    difference,
    lift: pc === 0 ? null : difference / pc,
    ci95: [difference - 1.959964 * se, difference + 1.959964 * se],
    pValue: sePooled === 0 ? 1 : twoSidedP(difference / sePooled),
  };
}

/** Sample-ratio mismatch: chi-square of observed units against the rollout's weights. */
export function sampleRatioMismatch(
  observed: number[],
  weights: number[],
): { chiSquare: number; pValue: number } | null {
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  if (total === 0 || weightSum === 0 || observed.length !== weights.length || observed.length < 2) return null;
  let chiSquare = 0;
  let df = -1;
  for (let i = 0; i < observed.length; i++) {
    const expected = (total * (weights[i] as number)) / weightSum;
    if (expected === 0) continue;
    chiSquare += ((observed[i] as number) - expected) ** 2 / expected;
    df++;
  }
  return df < 1 ? null : { chiSquare, pValue: chiSquareSurvival(chiSquare, df) };
}
