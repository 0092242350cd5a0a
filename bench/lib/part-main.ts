// Running one part alone while developing it: `tsx bench/parts/<name>.main.ts [--smoke]` prints the part's
// Markdown section and its result as JSON (the runner writes RESULTS.md from the same result).
import { loadavg } from 'node:os';
import { table } from './format.js';
import { machineLines } from './machine.js';
import type { BenchMode, BenchPart, Measurement, PartResult } from './results.js';

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

/** A Markdown table of text, every column left-aligned. */
function textTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const withUnit = (value: number | undefined, unit: Measurement['unit']) =>
  value === undefined ? '' : `${figure(value)} ${unit}`;

/**
 * A part's result as a Markdown section: its measurements, its comparisons, its targets, notes, skips.
 *
 * @example
 * console.log(partMarkdown(await trustPart('smoke')));
 */
export function partMarkdown(result: PartResult): string {
  const sections = [`## ${result.title}`];
  if (result.measurements.length > 0) {
    sections.push(
      table(
        ['measurement', 'median', 'p99', 'samples'],
        result.measurements.map((m) => [
          m.name,
          withUnit(m.median, m.unit),
          withUnit(m.p99, m.unit),
          m.samples === undefined ? '' : m.samples.toLocaleString('en-US'),
        ]),
      ),
    );
  }
  if (result.comparisons.length > 0) {
    sections.push(
      table(
        ['subject', 'anchor', 'subject median', 'anchor median', 'ratio', 'added'],
        result.comparisons.map((c) => [
          c.subject,
          c.anchor,
          withUnit(c.subjectMedian, c.unit),
          withUnit(c.anchorMedian, c.unit),
          times(c.ratio),
          withUnit(c.added, c.unit),
        ]),
      ),
    );
  }
  if (result.targets.length > 0) {
    sections.push(
      textTable(
        ['source', 'target', 'measured', 'status', 'cause'],
        result.targets.map((t) => [t.source, t.target, t.measured, t.status, t.cause ?? '']),
      ),
    );
  }
  sections.push(...result.notes);
  if (result.skipped && result.skipped.length > 0)
    sections.push(result.skipped.map((line) => `- Skipped: ${line}`).join('\n'));
  return sections.join('\n\n');
}

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
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(machineLines(`${title} (${mode}, ${seconds} s, ${new Date().toISOString()})`).join('\n'));
  console.log(`\n${partMarkdown(result)}\n`);
  console.log(JSON.stringify(result, null, 2));
  return result;
}
