// The benches' statistics: quantiles, a repeatable PRNG, a bootstrap interval of the median, paired differences.
// Shared by packages/*/bench and bench/compare-builds.ts; it imports nothing, so any bench can load it.

/**
 * The `q` quantile (0 to 1) of sorted values, interpolated between neighbours; NaN when there are none.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** A sorted copy of `values` (ascending). */
export const sortedOf = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/** The median of `values` (left unsorted). */
export const median = (values: readonly number[]) => quantile(sortedOf(values), 0.5);

/**
 * A deterministic PRNG (mulberry32) of numbers in [0, 1), so bootstraps and run orders are repeatable.
 *
 * @example
 * const next = random(42);
 * next(); // the same number on every run
 */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A copy of `items` in a random order (Fisher-Yates, drawing from `next`). */
export function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Percentile bootstrap 95% interval of the median (`resamples` resamples, seed 42: repeatable). */
export function bootstrapMedian(values: readonly number[], resamples = 2_000): [number, number] {
  const next = random(42);
  const medians: number[] = [];
  const resample = new Array<number>(values.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < values.length; i++) resample[i] = values[Math.floor(next() * values.length)]!;
    medians.push(median(resample));
  }
  const sorted = sortedOf(medians);
  return [quantile(sorted, 0.025), quantile(sorted, 0.975)];
}

/** What a variant adds to its baseline: the median of the per-round differences, its interval, and that over the baseline's median. */
export interface Paired {
  /** The baseline's median. */
  base: number;
  /** The variant's median. */
  withOrbit: number;
  /** The median of the per-round differences (variant minus baseline). */
  added: number;
  /** Bootstrap 95% interval of `added`. */
  low: number;
  high: number;
  /** `added / base`. */
  ratio: number;
}

/**
 * Compares two series sampled in the same rounds (sample i of each from round i).
 *
 * @throws Error when the series differ in length (they were not sampled in the same rounds).
 * @example
 * const { added, low, high, ratio } = paired(baseline.samples, orbit.samples);
 */
export function paired(baseline: readonly number[], variant: readonly number[]): Paired {
  if (baseline.length !== variant.length)
    throw new Error(`paired: expected series of one length, got ${baseline.length} and ${variant.length}`);
  const diffs = variant.map((value, i) => value - baseline[i]!);
  const added = median(diffs);
  const [low, high] = bootstrapMedian(diffs);
  const base = median(baseline);
  return { base, withOrbit: median(variant), added, low, high, ratio: added / base };
}
