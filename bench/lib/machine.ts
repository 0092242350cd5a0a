// What a bench run says about itself before its results: its options, the Node it runs on, the machine.
import { availableParallelism, cpus, totalmem } from 'node:os';

/** How long a bench runs: `full` (the measurement), `quick` (fewer rounds), `smoke` (a few iterations of every
 * path, to check that it runs: its numbers mean nothing). */
export type BenchSize = 'full' | 'quick' | 'smoke';

/** The options every package bench takes: `--quick` (fewer rounds), `--smoke` (a few iterations, seconds),
 * `--no-profile` (no CPU profiles), `--json <file>` (its headline figures as JSON, see adapter-report.ts),
 * `--end-to-end-only` (part 1 alone: what `--json` reports). */
export interface BenchFlags {
  /** True with `--quick` or `--smoke`: where a bench has no smoke count, the quick one applies. */
  quick: boolean;
  smoke: boolean;
  size: BenchSize;
  profile: boolean;
  /** The file `--json` names, if any. */
  json: string | undefined;
  /** `--end-to-end-only`: the adapter benches stop after part 1 (end to end), the part `--json` reports. */
  endToEndOnly: boolean;
}

/**
 * Reads `--quick`, `--smoke`, `--no-profile`, `--json <file>` and `--end-to-end-only` from the command line
 * (other arguments are the caller's).
 *
 * @throws Error when `--json` has no file after it.
 */
export function benchFlags(argv: readonly string[] = process.argv.slice(2)): BenchFlags {
  const smoke = argv.includes('--smoke');
  const quick = smoke || argv.includes('--quick');
  const at = argv.indexOf('--json');
  const json = at === -1 ? undefined : argv[at + 1];
  if (at !== -1 && (json === undefined || json.startsWith('--')))
    throw new Error('--json takes a file: --json <file>');
  return {
    quick,
    smoke,
    size: smoke ? 'smoke' : quick ? 'quick' : 'full',
    profile: !argv.includes('--no-profile'),
    json,
    endToEndOnly: argv.includes('--end-to-end-only'),
  };
}

/**
 * The count for the run's size.
 *
 * @example
 * const ROUNDS = bySize(size, { full: 1_500, quick: 40, smoke: 3 });
 */
export const bySize = (size: BenchSize, counts: Readonly<Record<BenchSize, number>>) => counts[size];

/**
 * The run's first two lines: the bench's title with the Node running it, then CPU model, cores and memory.
 *
 * @example
 * console.log(machineLines('ORBIT LangGraph adapter benchmark').join('\n'));
 */
export function machineLines(title: string): [string, string] {
  return [
    `${title}: Node ${process.version} (${process.execPath})`,
    `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
  ];
}
