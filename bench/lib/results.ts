// The contract between the benchmark parts (bench/parts/*.ts) and the runner that writes RESULTS.md:
// each part measures in the same process run, with its anchors, and returns plain data.

/** `full`: the real measurement (warm-up, several rounds). `smoke`: a few iterations, so that CI runs every
 * part and it never rots; a smoke result's numbers mean nothing and are never asserted. */
export type BenchMode = 'full' | 'smoke';

/** One measured operation: its median and p99 per operation, in the given unit. */
export interface Measurement {
  /** What was measured, e.g. `run.guard (in-memory ledger)`. */
  readonly name: string;
  readonly unit: 'ns' | 'µs' | 'ms' | 'MB' | 'ops/s';
  readonly median: number;
  readonly p99?: number;
  /** How many operations (or rounds) the figures come from. */
  readonly samples?: number;
}

/** A subject next to its anchor, measured in the same run: the ratio is what a claim rests on. */
export interface Comparison {
  readonly subject: string;
  readonly anchor: string;
  readonly unit: Measurement['unit'];
  readonly subjectMedian: number;
  readonly anchorMedian: number;
  /** subject / anchor. */
  readonly ratio: number;
  /** subject − anchor, in `unit`. */
  readonly added: number;
}

/** A target of an issue, with what this run measured and whether it is met. */
export interface TargetStatus {
  /** Where the target comes from, e.g. `issue 16` or `@orbit-agents/vercel-ai (issue 12)`. */
  readonly source: string;
  readonly target: string;
  readonly measured: string;
  readonly status: 'met' | 'not met' | 'not measured';
  /** Why it is not met (or not measured). */
  readonly cause?: string;
}

/** What a part returns. */
export interface PartResult {
  /** A short id (`decision`, `trust`, `stores`, `scale`, `adapters`). */
  readonly part: string;
  /** The section title in RESULTS.md. */
  readonly title: string;
  readonly measurements: readonly Measurement[];
  readonly comparisons: readonly Comparison[];
  readonly targets: readonly TargetStatus[];
  /** Free text for the section: method, caveats (Markdown paragraphs). */
  readonly notes: readonly string[];
  /** Parts that could not run a measurement (a service down) say so here; the runner prints it. */
  readonly skipped?: readonly string[];
}

/** A benchmark part: measures in `mode` and returns its result. */
export type BenchPart = (mode: BenchMode) => Promise<PartResult>;

/** `subject` next to `anchor` (same unit, same run). */
export function compare(subject: Measurement, anchor: Measurement): Comparison {
  return {
    subject: subject.name,
    anchor: anchor.name,
    unit: subject.unit,
    subjectMedian: subject.median,
    anchorMedian: anchor.median,
    ratio: subject.median / anchor.median,
    added: subject.median - anchor.median,
  };
}
