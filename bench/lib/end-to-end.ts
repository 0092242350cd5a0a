// Part 1 of the adapter benches: every variant's invoke, end to end, interleaved in random order round after
// round, and the tables: per variant, and what each compared variant adds to its baseline of the same round.
import { addedFigures, type ComparedFigures, seriesFigures, type VariantFigures } from './adapter-report.js';
import { type Clocks, secondsSince as seconds, stopwatch } from './clock.js';
import { pct, table, us } from './format.js';
import type { Shape } from './shapes.js';
import { truncateSinkFiles } from './sinks.js';
import { type Paired, paired, quantile, shuffled, sortedOf } from './stats.js';
import { freshThread } from './threads.js';

/** One way of running the model's script, timed one invoke per round. */
export interface TimedVariant<Result = unknown> {
  readonly key: string;
  readonly label: string;
  /** One timed invoke on a fresh thread. */
  invoke(threadId: string): Promise<Result>;
  /** Untimed, after each invoke: ends the thread's ORBIT run, empties a memory sink. */
  after(threadId: string): Promise<void>;
  /** Per tool call, ns, one per timed round. */
  readonly samples: Clocks;
}

/** The variants of one shape. */
export interface VariantGroup<V extends TimedVariant> {
  shape: Shape;
  variants: V[];
}

/** A table row of part 1: its label, the baseline's key and the compared variant's. */
export type Compared<Key extends string> = readonly [label: string, baseline: Key, variant: Key];

/** Part 1's settings. */
export interface EndToEndOptions<V extends TimedVariant> {
  warmupRounds: number;
  rounds: number;
  /** Tool calls per invoke: a sample is the invoke's time over these. */
  calls: number;
  /** The run's random order (`random(seed)`), drawn from again by part 2. */
  order: () => number;
  /** What one invoke is called in the tables (`run()`, `generateText`) and in the progress line (`runs`, `invokes`). */
  invoke: string;
  invokes: string;
  /** Untimed, after each variant's first invoke: it ran as it should. */
  check(variant: V, shape: Shape, result: Awaited<ReturnType<V['invoke']>>): void;
  compared: readonly Compared<V['key']>[];
  /** The target: ORBIT adds under this ratio to the SDK's own cost per tool call. */
  target: number;
}

/** One invoke on a fresh thread, timed on both clocks. What follows it (ending the ORBIT run) is untimed. */
async function timedInvoke(variant: TimedVariant, check?: (result: unknown) => void) {
  const threadId = freshThread(variant.key);
  const read = stopwatch();
  const result = await variant.invoke(threadId);
  const clocks = read();
  if (check) check(result);
  await variant.after(threadId);
  return clocks;
}

/** A series' median and p99, as µs. */
export const medianAndP99 = (values: readonly number[]) => {
  const sorted = sortedOf(values);
  return [us(quantile(sorted, 0.5)), us(quantile(sorted, 0.99))];
};

/** A comparison's cells on one clock: added µs, its interval, added %. */
export const addedCells = (p: Paired) => [us(p.added), `${us(p.low)} to ${us(p.high)}`, pct(p.ratio)];

/** Part 1's figures, as `--json` reports them (adapter-report.ts). */
export interface EndToEndFigures {
  variants: VariantFigures[];
  comparisons: ComparedFigures[];
}

/**
 * Part 1: checks every variant's first invoke, runs `warmupRounds + rounds` rounds (each runs every variant of
 * every shape once, in a new random order, so that no variant always follows the same neighbour and its
 * garbage), then prints the per-variant table and the comparisons, and returns their figures.
 *
 * @throws Error from `check` when a variant does not run as it should.
 */
export async function endToEnd<V extends TimedVariant>(
  groups: readonly VariantGroup<V>[],
  options: EndToEndOptions<V>,
): Promise<EndToEndFigures> {
  const { warmupRounds, rounds, calls, order } = options;
  for (const { shape, variants } of groups)
    for (const variant of variants)
      await timedInvoke(variant, (result) => options.check(variant, shape, result as never));
  console.log(
    `Part 1: ${warmupRounds} warm-up + ${rounds} timed rounds, ${groups.length * groups[0]!.variants.length} ${options.invokes} per round...`,
  );
  const started = performance.now();
  const everyVariant = groups.flatMap(({ variants }) => variants);
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const variant of shuffled(everyVariant, order)) {
      const { wall, cpu } = await timedInvoke(variant);
      if (round < warmupRounds) continue;
      variant.samples.wall.push(wall / calls);
      variant.samples.cpu.push(cpu / calls);
    }
    // Keep the audit files small (untimed).
    if (round % 50 === 49) truncateSinkFiles();
  }
  return printEndToEnd(groups, options, started);
}

/** Part 1's tables, under a heading with the seconds since `started`; returns their figures. */
function printEndToEnd<V extends TimedVariant>(
  groups: readonly VariantGroup<V>[],
  { compared, target, invoke, calls }: EndToEndOptions<V>,
  started: number,
): EndToEndFigures {
  const perVariantRows = groups.flatMap(({ shape, variants }) =>
    variants.map(({ label, samples }) => [
      shape.name,
      label,
      ...medianAndP99(samples.wall),
      ...medianAndP99(samples.cpu),
    ]),
  );
  const percent = `${Number((target * 100).toFixed(2))}%`;
  const verdict = (p: Paired) =>
    p.ratio < target ? (p.high / p.base < target ? 'pass' : `pass (CI reaches ${percent})`) : 'FAIL';
  const figures: EndToEndFigures = {
    variants: groups.flatMap(({ shape, variants }) =>
      variants.map(({ key, label, samples }) => ({
        shape: shape.name,
        key,
        label,
        wall: seriesFigures(samples.wall),
        cpu: seriesFigures(samples.cpu),
      })),
    ),
    comparisons: [],
  };
  const comparisonRows = groups.flatMap(({ shape, variants }) =>
    compared.map(([label, from, to]) => {
      const by = (key: V['key']) => variants.find((variant) => variant.key === key)!.samples;
      const wall = paired(by(from).wall, by(to).wall);
      const cpu = paired(by(from).cpu, by(to).cpu);
      figures.comparisons.push({
        shape: shape.name,
        label,
        baseline: from,
        variant: to,
        wall: addedFigures(wall),
        cpu: addedFigures(cpu),
      });
      return [
        shape.name,
        label,
        us(wall.base),
        ...addedCells(wall),
        us(cpu.base),
        ...addedCells(cpu),
        `${verdict(wall)} / ${verdict(cpu)}`,
      ];
    }),
  );
  console.log(`\nPart 1 (${seconds(started)}): per tool call, µs (${invoke} time / ${calls} calls)\n`);
  console.log(
    table(['shape', 'variant', 'wall median', 'wall p99', 'CPU median', 'CPU p99'], perVariantRows),
  );
  console.log(
    '\nAdded per tool call: median of the per-round differences against the baseline of the same round\n',
  );
  console.log(
    table(
      [
        'shape',
        'variant',
        'baseline wall µs',
        'added wall µs',
        '95% CI',
        'added wall %',
        'baseline CPU µs',
        'added CPU µs',
        '95% CI',
        'added CPU %',
        `< ${percent}? (wall / CPU)`,
      ],
      comparisonRows,
    ),
  );
  return figures;
}
