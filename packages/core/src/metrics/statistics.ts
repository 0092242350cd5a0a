import { OptionsInvalidError, type OrbitError } from '../errors.js';

/** How much a confidence distribution moved, read from its population stability index. */
export type DriftInterpretation = 'stable' | 'moderate' | 'significant';

/** The epsilon that stands in for an empty bin's share in the PSI (so `ln(0)` never occurs). */
export const PSI_EPSILON = 1e-4;

/**
 * The quantile function of the standard normal distribution (Acklam's rational approximation,
 * relative error below 1.2e-9): `normalQuantile(0.95)` is the one-sided z of a 95% bound, ≈ 1.645.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw invalid(`normalQuantile needs a probability 0 < p < 1, got ${p}.`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * The one-sided Wilson score upper bound of a proportion: with probability `confidenceLevel`, the
 * true rate is at most this, given `events` out of `trials`. No trials: 1 (nothing is known).
 *
 * @throws OptionsInvalidError (for arguments, not options) when `events` is not from 0 to `trials`, or
 * `confidenceLevel` is not strictly between 0 and 1 (not checked when `trials` is 0).
 *
 * @example
 * wilsonUpperBound(0, 160); // ≈ 0.0166: no override in 160 answers still allows up to 1.7% at 95%
 * wilsonUpperBound(4, 50, 0.99);
 */
export function wilsonUpperBound(events: number, trials: number, confidenceLevel = 0.95): number {
  if (!(events >= 0 && events <= trials))
    throw invalid(`wilsonUpperBound needs 0 <= events <= trials, got ${events} of ${trials}.`);
  if (trials === 0) return 1;
  const z = normalQuantile(confidenceLevel);
  const z2 = z * z;
  const p = events / trials;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.min(1, (centre + spread) / (1 + z2 / trials));
}

/**
 * The population stability index of two histograms over the same bins (counts, not shares):
 * Σ (current − baseline) · ln(current / baseline), over each bin's share of its total, where an
 * empty bin's share counts as `epsilon`. 0 for identical distributions; see `interpretPsi`. Throws
 * `ERR_OPTIONS_INVALID` when the bins differ or a histogram is empty.
 *
 * @throws OptionsInvalidError when the two histograms have different numbers of bins, or either sums
 * to 0 or less. `epsilon` is not checked.
 *
 * @example
 * populationStabilityIndex([10, 20, 70], [10, 20, 70]); // 0
 * populationStabilityIndex([70, 20, 10], [10, 20, 70]); // ≈ 2.34: significant drift
 */
export function populationStabilityIndex(
  baseline: readonly number[],
  current: readonly number[],
  epsilon = PSI_EPSILON,
): number {
  if (baseline.length !== current.length) {
    throw invalid(
      `PSI needs two histograms over the same bins, got ${baseline.length} and ${current.length} bins.`,
    );
  }
  const baselineTotal = sum(baseline);
  const currentTotal = sum(current);
  if (!(baselineTotal > 0 && currentTotal > 0)) {
    throw invalid('PSI needs at least one value in each histogram; check that both periods hold events.');
  }
  let psi = 0;
  for (let i = 0; i < baseline.length; i++) {
    const expected = Math.max(baseline[i]! / baselineTotal, epsilon);
    const actual = Math.max(current[i]! / currentTotal, epsilon);
    psi += (actual - expected) * Math.log(actual / expected);
  }
  return psi;
}

/**
 * The usual reading of a PSI: below 0.1 `stable`, 0.1 to 0.25 `moderate`, above 0.25 `significant`.
 *
 * @example
 * interpretPsi(0.04); // 'stable'
 */
export function interpretPsi(psi: number): DriftInterpretation {
  if (psi < 0.1) return 'stable';
  if (psi <= 0.25) return 'moderate';
  return 'significant';
}

/** Nearest-rank percentile of ascending values: the smallest value with at least `p` of them at or below it. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** `numerator / denominator`, or `null` when the denominator is not positive (a rate of nothing). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function invalid(message: string): OrbitError {
  return new OptionsInvalidError(message);
}

/** The sum of the values (0 for none). */
export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
