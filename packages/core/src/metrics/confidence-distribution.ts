import {
  type DriftInterpretation,
  interpretPsi,
  populationStabilityIndex,
  ratio,
  sum,
} from './statistics.js';

/**
 * The confidences of the decisions: `bins[i]` counts values in `[i/n, (i+1)/n)`, the last bin also
 * holds 1. Decisions without a valid confidence (null, missing, outside [0, 1]) count as `missing`.
 */
export interface ConfidenceDistribution {
  count: number;
  missing: number;
  mean: number | null;
  bins: number[];
}

/** The confidence histogram of the baseline and the current period, and their PSI. */
export interface ConfidenceDistributionDrift {
  /** `null` when either period has no confidence. */
  psi: number | null;
  interpretation: DriftInterpretation | 'insufficient_data';
  baseline: { count: number; bins: number[] };
  current: { count: number; bins: number[] };
}

/** A decision's confidence when it is a number in [0, 1]; undefined when null, missing or out of range. */
export function validConfidence(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined;
}

/** The histogram bin of a confidence in [0, 1] over `bins` bins: `[i/n, (i+1)/n)`, 1 in the last. */
export function confidenceBin(confidence: number, bins: number): number {
  return Math.min(bins - 1, Math.floor(confidence * bins));
}

/** The distribution of a group's confidences, from its count, missing count, sum and histogram. */
export function summarizeConfidence(
  count: number,
  missing: number,
  total: number,
  bins: readonly number[],
): ConfidenceDistribution {
  return { count, missing, mean: ratio(total, count), bins: [...bins] };
}

/** The PSI of the current period's histogram against the baseline's; no PSI when either is empty. */
export function confidenceDrift(
  baselineBins: readonly number[],
  currentBins: readonly number[],
  epsilon: number,
): ConfidenceDistributionDrift {
  const baseline = { count: sum(baselineBins), bins: [...baselineBins] };
  const current = { count: sum(currentBins), bins: [...currentBins] };
  if (baseline.count === 0 || current.count === 0) {
    return { psi: null, interpretation: 'insufficient_data', baseline, current };
  }
  const psi = populationStabilityIndex(baseline.bins, current.bins, epsilon);
  return { psi, interpretation: interpretPsi(psi), baseline, current };
}
