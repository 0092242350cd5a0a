// Issue 16, item 4: each adapter's framework, its per-tool-call cost with a scripted model, with and without
// ORBIT. Each adapter's own bench measures it (packages/<dir>/bench/overhead.ts, method in its BENCHMARKS.md);
// this part runs them on the built adapters and reads their figures.

import { runAdapterBench } from '../lib/adapter-bench-run.js';
import type { AdapterReport, VariantFigures } from '../lib/adapter-report.js';
import {
  type BenchMode,
  type BenchPart,
  type Comparison,
  compare,
  type Measurement,
  type PartResult,
  type TargetStatus,
} from '../lib/results.js';

/** One adapter: where its bench is, its target, why that is missed (from its BENCHMARKS.md), what to report. */
interface AdapterBench {
  /** The package's folder under `packages/`. */
  readonly dir: string;
  /** The framework, as the measurements' names begin. */
  readonly framework: string;
  readonly target: string;
  /** Why the target is not met, from the package's BENCHMARKS.md: printed when this run does not meet it. */
  readonly cause: string;
  /** The bench's comparisons reported here, as [baseline key, variant key]; the target's first. */
  readonly reported: readonly (readonly [string, string])[];
}

const ADAPTERS: readonly AdapterBench[] = [
  {
    dir: 'langgraph',
    framework: 'LangGraph',
    target:
      'ORBIT adds under 1% to LangChain’s own cost per tool call (createAgent, scripted model, no sink)',
    cause:
      'LangChain’s own middleware plumbing takes about the whole 1% budget before ORBIT does anything (a ' +
      'pass-through middleware adds 1.0–1.4%); ORBIT’s own work adds about 1.7% over that control, mostly ' +
      'cold caches after LangChain’s ~1 ms of its own code per call (hot, the same call costs 1.4 µs). ' +
      'packages/langgraph/BENCHMARKS.md, Conclusion.',
    reported: [
      ['lc', 'orbit'],
      ['lc', 'noop'],
      ['noop', 'orbit'],
      ['lc', 'orbitJsonl'],
      ['graph', 'graphOrbit'],
    ],
  },
  {
    dir: 'vercel-ai',
    framework: 'AI SDK',
    target:
      'ORBIT adds under 3% to the AI SDK’s own cost per tool call (generateText, scripted model, no sink; ' +
      'against the tool’s JSON schema made once, ORBIT’s own work)',
    cause:
      'the mock model makes the SDK’s tool call cheap (tens of µs, not 150 µs), so 3% is 1–3 µs: the SDK hooks ' +
      'ORBIT needs cost 1–2.5 µs doing nothing, and ORBIT’s decision and call handling 3 µs hot, 2–3× that in ' +
      'place (GC, cold caches); meeting it needs a cheaper core decision path for read-only calls. Against the ' +
      'zod tool an application passes, ORBIT adds under 3%. packages/vercel-ai/BENCHMARKS.md, Conclusion.',
    reported: [
      ['sdkOnce', 'orbit'],
      ['sdk', 'orbit'],
      ['sdkOnce', 'hooks'],
      ['hooks', 'orbit'],
      ['sdkOnce', 'orbitJsonl'],
    ],
  },
  {
    dir: 'openai-agents',
    framework: 'OpenAI Agents',
    target:
      'ORBIT adds under 2% to the OpenAI Agents SDK’s own cost per tool call (run(), scripted model, no sink)',
    cause:
      'the needsApproval function ORBIT needs puts the SDK on its dynamic-approval path (fingerprint, input ' +
      'snapshot, pending record per call): 1.6–3.2% doing nothing, about the whole 2% budget; ORBIT’s own work ' +
      '(decideCall, handleCall, usage counting) adds 12–36 µs over that control. ' +
      'packages/openai-agents/BENCHMARKS.md, Why the target is missed.',
    reported: [
      ['sdk', 'orbit'],
      ['sdk', 'hooksJson'],
      ['hooksJson', 'orbit'],
      ['sdk', 'orbitJsonl'],
    ],
  },
];

/** µs (or %) with `digits` decimals and thousands separated: `1,075.9`. */
const fixed = (value: number, digits = 1) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const signed = (value: number, digits = 1) => `${value >= 0 ? '+' : ''}${fixed(value, digits)}`;

/** What one adapter's figures become: its measurements, comparisons, target and a note. */
function resultOf(
  adapter: AdapterBench,
  report: AdapterReport,
): { measurements: Measurement[]; comparisons: Comparison[]; target: TargetStatus; note: string } {
  const { clock } = report.target;
  const measurementOf = (variant: VariantFigures): Measurement => {
    const figures = (clock === 'cpu' ? variant.cpu : undefined) ?? variant.wall;
    return {
      name: `${adapter.framework}: ${variant.label}, ${variant.shape}`,
      unit: 'µs',
      median: figures.median,
      p99: figures.p99,
      samples: figures.samples,
    };
  };
  const shapes = [...new Set(report.variants.map((variant) => variant.shape))];
  const keys = new Set(adapter.reported.flat());
  const measurements = new Map<string, Measurement>();
  for (const variant of report.variants)
    if (keys.has(variant.key)) measurements.set(`${variant.shape}/${variant.key}`, measurementOf(variant));
  const measured = (shape: string, key: string) => {
    const found = measurements.get(`${shape}/${key}`);
    if (!found) throw new Error(`packages/${adapter.dir}: its bench reports no variant ${key} in ${shape}`);
    return found;
  };
  const comparisons = shapes.flatMap((shape) =>
    adapter.reported.map(([baseline, variant]) =>
      compare(measured(shape, variant), measured(shape, baseline)),
    ),
  );
  const rows = report.headline.map(
    (row) =>
      `${row.shape}: ${signed(row.addedUs)} µs (${signed(row.addedPct, 2)}%) over ${fixed(row.frameworkUs)} µs`,
  );
  const met = report.headline.every((row) => row.met);
  const target: TargetStatus = {
    source: `@orbit-agents/${adapter.dir}`,
    target: adapter.target,
    measured: `${rows.join('; ')} (${clock === 'cpu' ? 'CPU' : 'wall'} clock)`,
    status: met ? 'met' : 'not met',
    ...(met ? {} : { cause: adapter.cause }),
  };
  const intervals = report.headline
    .map(
      (row) =>
        `${row.shape}: ${fixed(row.frameworkUs)} µs alone, ${fixed(row.withOrbitUs)} µs with ORBIT, ` +
        `${signed(row.addedUs)} µs (95% CI ${fixed(row.lowUs)} to ${fixed(row.highUs)})`,
    )
    .join('; ');
  const note =
    `**${adapter.framework}** (packages/${adapter.dir}, ${report.rounds.toLocaleString('en-US')} rounds, ${clock === 'cpu' ? 'CPU' : 'wall'} ` +
    `clock, the adapter’s ${report.adapter === 'dist' ? 'build' : 'source'}): ${intervals}.`;
  return { measurements: [...measurements.values()], comparisons, target, note };
}

const METHOD =
  'Each adapter’s own bench (`packages/<adapter>/bench/overhead.ts`, method and causes in its BENCHMARKS.md) ' +
  'runs as a child process on the adapter’s build (`tsx bench/overhead.ts --dist --json <file>`; in full mode ' +
  'with `--end-to-end-only`: its part 1), one after another. Each times one invoke of the framework’s agent over a scripted ' +
  'model (no network) per variant, in two shapes (one turn of 10 parallel tool calls, 10 turns of one call), ' +
  'every variant once per round in an interleaved order, after warm-up rounds; per tool call = invoke time / 10. ' +
  'Measurements are medians and p99 per tool call. In the comparisons, ratio and added are those of the two ' +
  'medians; a target reads the median of the per-round differences (with a bootstrap 95% interval), as the ' +
  'adapters’ BENCHMARKS.md do, on the clock each bench quotes (the AI SDK and OpenAI Agents benches read the ' +
  'process’s CPU time too, steadier on a shared machine; the LangGraph bench wall time only).';

/**
 * The adapters part: each adapter's bench run on its build (at once in smoke mode, one after another in full
 * mode), its figures turned into measurements, comparisons and its target's status. A bench that fails is
 * reported as skipped, its target not measured, with the reason.
 *
 * @example
 * const result = await adaptersPart('smoke');
 */
export const adaptersPart: BenchPart = async (mode: BenchMode): Promise<PartResult> => {
  const run = (adapter: AdapterBench) =>
    runAdapterBench({ dir: adapter.dir, mode, ...(mode === 'full' ? { echo: process.stderr } : {}) }).then(
      (report) => ({ adapter, report }),
      (error: unknown) => ({ adapter, error: error instanceof Error ? error.message : String(error) }),
    );
  // Smoke: all at once (seconds, nothing to measure); full: one after another, so that none loads another's.
  const outcomes: Awaited<ReturnType<typeof run>>[] = [];
  if (mode === 'smoke') outcomes.push(...(await Promise.all(ADAPTERS.map(run))));
  else for (const adapter of ADAPTERS) outcomes.push(await run(adapter));

  const measurements: Measurement[] = [];
  const comparisons: Comparison[] = [];
  const targets: TargetStatus[] = [];
  const notes = [METHOD];
  const skipped: string[] = [];
  for (const outcome of outcomes) {
    const { adapter } = outcome;
    try {
      if ('error' in outcome) throw new Error(outcome.error);
      const result = resultOf(adapter, outcome.report);
      measurements.push(...result.measurements);
      comparisons.push(...result.comparisons);
      targets.push(result.target);
      notes.push(result.note);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      skipped.push(`${adapter.framework}: ${message}`);
      targets.push({
        source: `@orbit-agents/${adapter.dir}`,
        target: adapter.target,
        measured: '–',
        status: 'not measured',
        cause: `its bench failed: ${message.split('\n')[0]}`,
      });
    }
  }
  return {
    part: 'adapters',
    title: 'Adapters: the framework’s per-tool-call cost, with and without ORBIT',
    measurements,
    comparisons,
    targets,
    notes,
    ...(skipped.length > 0 ? { skipped } : {}),
  };
};
