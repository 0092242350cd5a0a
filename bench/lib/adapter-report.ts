// The adapter benches' headline figures as JSON (`--json <file>`): what bench/parts/adapters.ts reads from
// each bench it runs as a child process. Times are µs per tool call; what the bench prints is unchanged.
import { writeFileSync } from 'node:fs';
import type { BenchSize } from './machine.js';
import { type Paired, quantile, sortedOf } from './stats.js';

/** A series' median and p99, µs, and how many samples they come from. */
export interface SeriesFigures {
  readonly median: number;
  readonly p99: number;
  readonly samples: number;
}

/** One variant of one shape, end to end, per tool call. `cpu`: only from benches that read the CPU clock. */
export interface VariantFigures {
  readonly shape: string;
  readonly key: string;
  readonly label: string;
  readonly wall: SeriesFigures;
  readonly cpu?: SeriesFigures;
}

/** What a variant adds to its baseline sampled in the same rounds, µs: `added` is the median of the
 * per-round differences (not the difference of the medians), `ratio` is `added / baseline`. */
export interface AddedFigures {
  readonly baseline: number;
  readonly variant: number;
  readonly added: number;
  /** Bootstrap 95% interval of `added`. */
  readonly low: number;
  readonly high: number;
  readonly ratio: number;
}

/** One row of the bench's comparison table: `variant` against `baseline` (variant keys), in one shape. */
export interface ComparedFigures {
  readonly shape: string;
  readonly label: string;
  readonly baseline: string;
  readonly variant: string;
  readonly wall: AddedFigures;
  readonly cpu?: AddedFigures;
}

/** The target row of one shape: the framework alone, with ORBIT, what ORBIT adds, and whether it is under the target. */
export interface Headline {
  readonly shape: string;
  readonly frameworkUs: number;
  readonly withOrbitUs: number;
  readonly addedUs: number;
  /** `addedUs` over `frameworkUs`, as a percentage. */
  readonly addedPct: number;
  readonly lowUs: number;
  readonly highUs: number;
  readonly met: boolean;
}

/** What `--json` writes. */
export interface AdapterReport {
  /** The package, e.g. `@orbit-agents/vercel-ai`. */
  readonly bench: string;
  readonly size: BenchSize;
  /** The adapter's build (`--dist`) or its source (run by tsx). */
  readonly adapter: 'dist' | 'src';
  readonly node: string;
  readonly date: string;
  /** Timed rounds of the end-to-end part (one sample per variant per round). */
  readonly rounds: number;
  readonly target: {
    /** ORBIT adds under this ratio (0.03: 3%). */
    readonly ratio: number;
    /** The comparison row that is the target (its `label`). */
    readonly label: string;
    /** The clock the headline reads. */
    readonly clock: 'wall' | 'cpu';
  };
  readonly headline: readonly Headline[];
  readonly variants: readonly VariantFigures[];
  readonly comparisons: readonly ComparedFigures[];
}

/** A series of ns per tool call as µs figures. */
export function seriesFigures(ns: readonly number[]): SeriesFigures {
  const sorted = sortedOf(ns);
  return { median: quantile(sorted, 0.5) / 1e3, p99: quantile(sorted, 0.99) / 1e3, samples: ns.length };
}

/** `paired()`'s figures (ns) as µs. */
export const addedFigures = (p: Paired): AddedFigures => ({
  baseline: p.base / 1e3,
  variant: p.withOrbit / 1e3,
  added: p.added / 1e3,
  low: p.low / 1e3,
  high: p.high / 1e3,
  ratio: p.ratio,
});

/**
 * The target rows (one per shape) as headlines, on `clock`.
 *
 * @throws Error when no comparison carries the target's label.
 */
export function headlinesOf(
  comparisons: readonly ComparedFigures[],
  target: AdapterReport['target'],
): Headline[] {
  const rows = comparisons.filter((row) => row.label === target.label);
  if (rows.length === 0) throw new Error(`adapter report: no comparison labelled ${target.label}`);
  return rows.map((row) => {
    const figures = (target.clock === 'cpu' ? row.cpu : undefined) ?? row.wall;
    return {
      shape: row.shape,
      frameworkUs: figures.baseline,
      withOrbitUs: figures.variant,
      addedUs: figures.added,
      addedPct: figures.ratio * 100,
      lowUs: figures.low,
      highUs: figures.high,
      met: figures.ratio < target.ratio,
    };
  });
}

/**
 * Writes the report to `file` when `--json` named one (a no-op otherwise), headlines included.
 *
 * @example
 * writeAdapterReport(flags.json, { bench: '@orbit-agents/vercel-ai', size, adapter: 'dist', ... });
 */
export function writeAdapterReport(
  file: string | undefined,
  report: Omit<AdapterReport, 'headline' | 'node' | 'date'>,
): void {
  if (!file) return;
  const full: AdapterReport = {
    ...report,
    node: process.version,
    date: new Date().toISOString(),
    headline: headlinesOf(report.comparisons, report.target),
  };
  writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`);
}
