// The runner's core: runs the benchmark parts one after another and keeps what each returned, or why it failed.
import { loadavg, release, type } from 'node:os';
import { machineLines } from './machine.js';
import type { BenchMode, BenchPart, PartResult } from './results.js';

/** One part of a run: its result, or the error it failed with, and how long it took. */
export interface PartRun {
  readonly name: string;
  readonly seconds: number;
  readonly result?: PartResult;
  /** The part threw: its message. */
  readonly error?: string;
}

/** A whole run, as `--json` writes it and RESULTS.md is made from. */
export interface BenchRun {
  readonly mode: BenchMode;
  /** When it started, ISO 8601 (UTC). */
  readonly date: string;
  readonly command: string;
  /** The machine, one line each: Node, CPU, OS and the load average at the start. */
  readonly machine: readonly string[];
  readonly seconds: number;
  readonly parts: readonly PartRun[];
}

/** A part to run: its name and how to load it (bench/parts/index.ts). */
export interface RunnablePart {
  readonly name: string;
  readonly load: () => Promise<BenchPart>;
}

/** The machine's description: Node, CPU, cores and memory (bench/lib/machine.ts), OS, load average now. */
export function machineDescription(): string[] {
  const [node, cpu] = machineLines('Node');
  const load = loadavg().map((value) => value.toFixed(2));
  return [
    node.replace(/^Node: /, ''),
    cpu,
    `OS: ${type()} ${release()} (${process.arch})`,
    `Load average at the start (1, 5, 15 min): ${load.join(', ')}`,
  ];
}

/**
 * Runs `parts` in order in `mode`. A part that throws does not stop the run: its error is kept, and the
 * next part runs. `log` hears a line as each part starts and ends.
 *
 * @example
 * const run = await runParts(PARTS, 'smoke', { command: 'tsx run-all.ts --smoke' });
 */
export async function runParts(
  parts: readonly RunnablePart[],
  mode: BenchMode,
  { command, log = () => {} }: { command: string; log?: (line: string) => void },
): Promise<BenchRun> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineDescription();
  const runs: PartRun[] = [];
  for (const { name, load } of parts) {
    log(`part ${name} (${mode})...`);
    const partStarted = performance.now();
    const seconds = () => (performance.now() - partStarted) / 1000;
    try {
      const result = await (await load())(mode);
      runs.push({ name, seconds: seconds(), result });
      log(`part ${name}: ${seconds().toFixed(0)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      runs.push({ name, seconds: seconds(), error: message });
      const stack = error instanceof Error ? (error.stack ?? message) : message;
      log(`part ${name} FAILED after ${seconds().toFixed(0)} s: ${stack}`);
    }
  }
  return { mode, date, command, machine, seconds: (performance.now() - started) / 1000, parts: runs };
}
