// Running one part alone while developing it: `tsx bench/parts/<name>.main.ts [--smoke]` prints the part's
// Markdown section (as RESULTS.md shows it) and its result as JSON.
import { loadavg } from 'node:os';
import { machineLines } from './machine.js';
import type { BenchMode, BenchPart, PartResult } from './results.js';
import { partMarkdown } from './results-markdown.js';

/** A figure with thousands separators and as many decimals as its size needs (3 below 1, 1 below 100). */
export function figure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) < 1 ? 3 : Math.abs(value) < 100 ? 1 : 0;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as `1.08×` (two significant digits below 0.1: `0.00061×`). */
export const times = (ratio: number) => `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}×`;

/**
 * A note with the machine's 1-minute load average now and at `before` (other processes move absolute
 * times; the interleaved ratios less so).
 *
 * @example
 * const before = loadavg()[0]!;
 * notes.push(loadNote(before));
 */
export const loadNote = (before: number) =>
  `Load average (1 min) at the start and the end: ${before.toFixed(2)} and ${loadavg()[0]!.toFixed(2)}, on a ` +
  'machine that other work shares.';

/**
 * Runs `part` in the mode the command line asks for (`--smoke`, else `full`) and prints the machine, the
 * Markdown section and the result as JSON.
 *
 * @example
 * await runPartMain(trustPart, 'ORBIT trust tokens');
 */
export async function runPartMain(part: BenchPart, title: string): Promise<PartResult> {
  const mode: BenchMode = process.argv.includes('--smoke') ? 'smoke' : 'full';
  const started = performance.now();
  const result = await part(mode);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    machineLines(`${title} (${mode}, ${seconds.toFixed(1)} s, ${new Date().toISOString()})`).join('\n'),
  );
  console.log(`\n${partMarkdown({ name: result.part, seconds, result })}\n`);
  console.log(JSON.stringify(result, null, 2));
  return result;
}
