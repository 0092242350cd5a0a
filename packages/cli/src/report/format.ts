/** Formatting shared by the text and the HTML report. */

/** `0.1234` → `12.3%`; `n/a` for null. */
export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

/** A duration in ms as a person reads it: `850 ms`, `12.5 s`, `4.2 min`, `3.1 h`; `n/a` for null. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** A number with a fixed count of decimals; `n/a` for null. */
export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? 'n/a' : value.toFixed(digits);
}

/** The label of histogram bin `i` of `bins` over [0, 1]: `0.8-0.9`. */
export function binLabel(i: number, bins: number): string {
  const digits = bins <= 10 ? 1 : bins <= 100 ? 2 : 3;
  return `${(i / bins).toFixed(digits)}-${((i + 1) / bins).toFixed(digits)}`;
}

/** `2026-01-05T00:00:00.000Z` → `2026-01-05`. */
export function day(iso: string | null): string {
  return iso === null ? 'n/a' : iso.slice(0, 10);
}

/** The shares of a histogram's bins (0 for an empty histogram). */
export function shares(bins: readonly number[]): number[] {
  const total = bins.reduce((a, b) => a + b, 0);
  return bins.map((count) => (total === 0 ? 0 : count / total));
}

/** What a readiness criterion checks, in words. */
export const CRITERION_LABELS: Readonly<Record<string, string>> = {
  minDaysInProduction: 'days in production (at least)',
  minDecisions: 'decisions (at least)',
  minAnsweredApprovals: 'human-answered approvals (at least)',
  maxOverrideRate: 'override rate, 95% upper bound (at most)',
  maxInterruptRate: 'interrupt rate (at most)',
  minTaskSuccessRate: 'task success rate (at least)',
  maxAbandonmentRate: 'abandonment rate (at most)',
  maxBoundaryHalts: 'halts outside the manifest (at most)',
  irreversibleCalibration: 'irreversible threshold derivable (upper bound at most)',
};

const RATE_CRITERIA = new Set([
  'maxOverrideRate',
  'maxInterruptRate',
  'minTaskSuccessRate',
  'maxAbandonmentRate',
  'irreversibleCalibration',
]);

/** A readiness check's measured value or limit, as a rate or a count. */
export function criterionValue(criterion: string, value: number | null): string {
  if (value === null) return 'n/a';
  if (RATE_CRITERIA.has(criterion)) return pct(value);
  if (criterion === 'minDaysInProduction') return value.toFixed(1);
  return String(value);
}
