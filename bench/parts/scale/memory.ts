// The scale part's memory measurement: a million guarded calls as many short runs and as one long run,
// bare and with tracing and audit, each scenario in a fresh process with `--expose-gc` (memory-child.ts),
// and what it shows: the heap retained per call, whether memory returns once runs end, RSS.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { table } from '../../lib/format.js';
import type { BenchMode, Measurement, TargetStatus } from '../../lib/results.js';

/** One scenario, as the child process takes it. */
export interface MemorySpec {
  /** `bare`: no sink, no tracer. `instrumented`: the OpenTelemetry SDK (batch) and the chained JSONL sink. */
  readonly config: 'bare' | 'instrumented';
  /** `runs`: `calls / callsPerRun` runs, each ended. `long`: one run of `calls` calls. */
  readonly scenario: 'runs' | 'long';
  readonly calls: number;
  readonly callsPerRun: number;
  /** A sample every this many calls. */
  readonly every: number;
  /** Calls in a warm-up run before the baseline. */
  readonly warmup: number;
}

/** Heap used and RSS, bytes. */
export interface MemoryUse {
  readonly heapUsed: number;
  readonly rss: number;
}

/** A sample along the way: heap and RSS as they were, and the heap after a full collection. */
export interface MemoryPoint extends MemoryUse {
  readonly calls: number;
  readonly heapAfterGc: number;
}

/** What a child reports. */
export interface MemoryResult {
  readonly spec: MemorySpec;
  /** Whether `gc()` was there (`--expose-gc`): without it, nothing after GC is. */
  readonly gc: boolean;
  /** Seconds the calls took (samples included). */
  readonly seconds: number;
  /** After warm-up and three collections. */
  readonly baseline: MemoryUse;
  readonly points: readonly MemoryPoint[];
  /** The long run's: after three collections, the run still open. */
  readonly open?: MemoryUse;
  /** After the runs ended and three collections. */
  readonly final: MemoryUse;
  /** The process's peak RSS, bytes. */
  readonly peakRss: number;
}

/** Full: a million calls (1,000 runs × 1,000, or one run), a sample every 100,000. Smoke: 10,000 calls. */
const SIZES: Record<BenchMode, Omit<MemorySpec, 'config' | 'scenario'>> = {
  full: { calls: 1_000_000, callsPerRun: 1_000, every: 100_000, warmup: 20_000 },
  smoke: { calls: 10_000, callsPerRun: 1_000, every: 1_000, warmup: 2_000 },
};

const execFileAsync = promisify(execFile);

/**
 * Runs one scenario in a fresh `node --expose-gc --import tsx` and reads its JSON line.
 *
 * @throws Error when the child fails or prints no result.
 */
async function runChild(spec: MemorySpec): Promise<MemoryResult> {
  const script = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
  // From the bench workspace, where `tsx` and `@orbit-agents/core` resolve.
  const cwd = fileURLToPath(new URL('../../', import.meta.url));
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, JSON.stringify(spec)],
    { cwd, maxBuffer: 16 * 2 ** 20 },
  );
  const line = stdout.trim().split('\n').at(-1);
  if (!line?.startsWith('{')) throw new Error(`the memory child printed no result: ${stdout.slice(-500)}`);
  return JSON.parse(line) as MemoryResult;
}

/**
 * The four scenarios (bare and instrumented, many runs and one run), one process each: in turn in `full`;
 * all at once in `smoke`, whose figures mean nothing, so that it takes one process start, not four.
 */
export async function measureMemory(mode: BenchMode): Promise<MemoryResult[]> {
  const specs = (['bare', 'instrumented'] as const).flatMap((config) =>
    (['runs', 'long'] as const).map((scenario): MemorySpec => ({ config, scenario, ...SIZES[mode] })),
  );
  if (mode === 'smoke') return Promise.all(specs.map(runChild));
  const results: MemoryResult[] = [];
  for (const spec of specs) results.push(await runChild(spec));
  return results;
}

const MB = 2 ** 20;
const mb = (bytes: number, digits = 1) => (bytes / MB).toFixed(digits);
/** MB with its sign: `+0.7`, `-1.2`. */
const signed = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mb(bytes)}`;
const n = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** `1,000 runs × 1,000 calls` or `one run of 1,000,000 calls`. */
const shapeOf = ({ scenario, calls, callsPerRun }: MemorySpec) =>
  scenario === 'runs'
    ? `${n(calls / callsPerRun)} runs × ${n(callsPerRun)} calls`
    : `one run of ${n(calls)} calls`;
const configOf = ({ config }: MemorySpec) => (config === 'bare' ? 'bare' : 'OTel SDK + chained JSONL');
const labelOf = (spec: MemorySpec) => `${shapeOf(spec)}, ${configOf(spec)}`;

/** What a scenario shows, bytes (per call where said). */
function summary(result: MemoryResult) {
  const { baseline, final, points, open, spec } = result;
  const half = points.find((point) => point.calls >= spec.calls / 2) ?? points[0]!;
  const last = points.at(-1)!;
  return {
    retained: final.heapUsed - baseline.heapUsed,
    held: open ? open.heapUsed - baseline.heapUsed : undefined,
    // Growth of the collected heap over the second half of the calls, per call: ~0 when what is kept is bounded.
    secondHalf: (last.heapAfterGc - half.heapAfterGc) / Math.max(1, last.calls - half.calls),
    callsPerSecond: spec.calls / result.seconds,
  };
}

/** The measurements: per scenario, heap retained (after GC), RSS and the call rate. */
export function memoryMeasurements(results: readonly MemoryResult[]): Measurement[] {
  return results.flatMap((result) => {
    const label = labelOf(result.spec);
    const { retained, held, callsPerSecond } = summary(result);
    const one = (name: string, unit: Measurement['unit'], value: number): Measurement => ({
      name: `${label}: ${name}`,
      unit,
      median: Number(value.toFixed(unit === 'MB' ? 2 : 0)),
      samples: 1,
    });
    return [
      ...(held === undefined ? [] : [one('heap held while the run is open (after GC)', 'MB', held / MB)]),
      one(
        `heap retained after ${result.spec.scenario === 'runs' ? 'the runs end' : 'the run ends'} (after GC)`,
        'MB',
        retained / MB,
      ),
      one('RSS after, growth over the baseline', 'MB', (result.final.rss - result.baseline.rss) / MB),
      one('peak RSS', 'MB', result.peakRss / MB),
      one('guarded calls per second (samples included)', 'ops/s', callsPerSecond),
    ];
  });
}

/** The earlier target (packages/core BENCHMARKS.md, Memory): a million calls grow retained memory < 50 MB. */
export function memoryTargets(results: readonly MemoryResult[]): TargetStatus[] {
  return results
    .filter((result) => result.spec.config === 'instrumented')
    .map((result) => {
      const { retained, held } = summary(result);
      const grew = Math.max(retained, held ?? 0);
      const rss = result.final.rss - result.baseline.rss;
      const measured = `heap ${held === undefined ? '' : `${signed(held)} MB while the run is open, `}${signed(retained)} MB after ${
        result.spec.scenario === 'runs' ? 'the runs end' : 'it ends'
      } (after GC); RSS ${signed(rss)} MB, peak ${mb(result.peakRss, 0)} MB`;
      const target = `${n(result.spec.calls)} guarded calls (${shapeOf(result.spec)}, OTel SDK + chained JSONL) grow retained memory by < 50 MB`;
      const source = '@orbit-agents/core BENCHMARKS.md (Memory)';
      if (!result.gc)
        return {
          source,
          target,
          measured,
          status: 'not measured',
          cause: 'no gc(): the child ran without --expose-gc',
        };
      return grew < 50 * MB
        ? { source, target, measured, status: 'met' }
        : { source, target, measured, status: 'not met', cause: 'retained heap grows with the calls' };
    });
}

/** The notes: method, a summary per scenario, and the samples along the way. */
export function memoryNotes(results: readonly MemoryResult[]): string[] {
  const rows = results.map((result) => {
    const { retained, held, secondHalf, callsPerSecond } = summary(result);
    return [
      labelOf(result.spec),
      n(callsPerSecond),
      mb(result.baseline.heapUsed),
      held === undefined ? '–' : signed(held),
      signed(retained),
      (retained / result.spec.calls).toFixed(2),
      secondHalf.toFixed(2),
      `${mb(result.baseline.rss, 0)} → ${mb(result.final.rss, 0)}`,
      mb(result.peakRss, 0),
    ];
  });
  const notes = [
    'Memory: each scenario runs in a fresh `node --expose-gc` process. A guarded call is `run.guard` and `run.recordOutcome` (`executed`) on a `partial` tool without an undo, as in packages/core/bench/memory.ts; the manifest allows 10^9 calls per run, so one run takes the whole million. After a warm-up run (ended) and three collections, the baseline; then the calls, yielding to the event loop every 10,000 (the batch processor exports on timers), a sample every ' +
      `${n(results[0]?.spec.every ?? 0)} calls (heap and RSS as they are, then the heap after one full collection; for many runs, at a run's end); then a flush and three collections with the long run still open, its end, and three more. The JSONL sink writes to the null device: every line is serialised, hashed and written, and no disk fills.`,
    table(
      [
        'scenario',
        'calls/s',
        'heap before MB',
        'held while open MB',
        'retained after end MB',
        'bytes/call retained',
        'bytes/call, 2nd half',
        'RSS before → after MB',
        'peak RSS MB',
      ],
      rows,
    ),
  ];
  for (const config of ['bare', 'instrumented'] as const) {
    const runs = results.find((r) => r.spec.config === config && r.spec.scenario === 'runs');
    const long = results.find((r) => r.spec.config === config && r.spec.scenario === 'long');
    if (!runs || !long) continue;
    notes.push(
      `Samples along the way, ${configOf(runs.spec)} (MB; "after GC" is after one full collection at that point):`,
      table(
        ['calls', 'many runs: heap', 'after GC', 'RSS', 'one run: heap', 'after GC', 'RSS'],
        runs.points.map((point, i) => {
          const other = long.points[i];
          return [
            n(point.calls),
            mb(point.heapUsed),
            mb(point.heapAfterGc),
            mb(point.rss, 0),
            other ? mb(other.heapUsed) : '–',
            other ? mb(other.heapAfterGc) : '–',
            other ? mb(other.rss, 0) : '–',
          ];
        }),
      ),
    );
  }
  return notes;
}
