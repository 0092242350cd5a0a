// The bench's statistics and tables: quantiles, a repeatable bootstrap of the median, paired differences.

/** The `q` quantile of sorted values, interpolated between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export const sortedOf = (values: readonly number[]) => [...values].sort((a, b) => a - b);
export const median = (values: readonly number[]) => quantile(sortedOf(values), 0.5);

/** A deterministic PRNG (mulberry32), so the bootstrap and the run orders are repeatable. */
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

/** Percentile bootstrap 95% interval of the median (2,000 resamples). */
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
  base: number;
  withOrbit: number;
  added: number;
  low: number;
  high: number;
  ratio: number;
}

/**
 * Compares two series sampled in the same rounds (sample i of each from round i).
 *
 * @throws Error when the series differ in length (they were not sampled in the same rounds).
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

/** A sample's two clocks, ns: wall time, and the process's CPU time (every thread: V8's GC helpers too). */
export interface Clocks {
  wall: number[];
  cpu: number[];
}

/**
 * Starts both clocks; the function returned reads them. CPU time leaves out the time other processes held
 * the cores (on a shared machine, most of a loaded wall-clock sample), so it is the steadier of the two.
 */
export function stopwatch(): () => { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  return () => {
    const elapsed = Number(process.hrtime.bigint() - wall);
    const used = process.cpuUsage(cpu);
    return { wall: elapsed, cpu: (used.user + used.system) * 1_000 };
  };
}

/** ns as µs, with thousands separators. */
export const us = (ns: number, digits = 1) =>
  (ns / 1e3).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;

/** A Markdown table, first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}
