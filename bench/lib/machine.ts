// What a bench run says about itself before its results: its options, the Node it runs on, the machine.
import { availableParallelism, cpus, totalmem } from 'node:os';

/** The options every package bench takes: `--quick` (fewer rounds, a smoke test), `--no-profile` (no CPU profiles). */
export interface BenchFlags {
  quick: boolean;
  profile: boolean;
}

/** Reads `--quick` and `--no-profile` from the command line (other arguments are the caller's). */
export function benchFlags(argv: readonly string[] = process.argv.slice(2)): BenchFlags {
  return { quick: argv.includes('--quick'), profile: !argv.includes('--no-profile') };
}

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
