// RESULTS.md from a run: the title, the date, the machine and the command, every target in one table, then one
// section per part (comparisons, measurements, notes, what was skipped).
import type { Measurement, PartResult, TargetStatus } from './results.js';
import type { BenchRun, PartRun } from './run-parts.js';

/** A number for a table: 3 to 5 significant figures, thousands separated; `–` when it is not finite. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = abs >= 10_000 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as `1.068×` (three decimals below 10). */
export const ratio = (value: number) =>
  Number.isFinite(value) ? `${value >= 10 ? value.toFixed(1) : value.toFixed(3)}×` : '–';

const withUnit = (value: number, unit: Measurement['unit']) => `${num(value)} ${unit}`;
const signedWithUnit = (value: number, unit: Measurement['unit']) =>
  `${value > 0 ? '+' : ''}${withUnit(value, unit)}`;

/** A table cell: no line breaks, pipes escaped. */
const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** Characters, as the formatter counts them (code points). */
const width = (text: string) => [...text].length;

/**
 * A Markdown table, every column as wide as its widest cell, as `biome format` writes it (RESULTS.md passes
 * `biome check`); `right`: the columns (by index) aligned right, the numbers.
 */
function markdownTable(header: readonly string[], rows: readonly string[][], right: readonly number[] = []) {
  const cells = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => width(row[i]!))));
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - width(text));
    return right.includes(i) ? fill + text : text + fill;
  };
  const line = (row: readonly string[]) => `| ${row.map(pad).join(' | ')} |`;
  const rule = widths.map((w, i) => (right.includes(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(cells[0]!), `| ${rule.join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

const STATUS: Record<TargetStatus['status'], string> = {
  met: 'met',
  'not met': '**not met**',
  'not measured': 'not measured',
};

/** Every part's targets, and for a part that failed one row that says so. */
export function targetsTable(parts: readonly PartRun[]): string {
  const rows = parts.flatMap(({ name, result, error }) =>
    result
      ? result.targets.map((t) => [t.source, t.target, t.measured, STATUS[t.status], t.cause ?? ''])
      : [[`part ${name}`, 'its targets', '–', STATUS['not measured'], `the part failed: ${error ?? ''}`]],
  );
  if (rows.length === 0) return '_No part reported a target._';
  return markdownTable(['source', 'target', 'measured', 'status', 'cause'], rows);
}

/** One part's section: its comparisons, measurements, notes and what it skipped. */
export function partSection({ name, seconds, result, error }: PartRun): string {
  const heading = `## ${result?.title ?? name}\n\n_Part \`${name}\`, ${seconds.toFixed(0)} s._`;
  if (!result) return `${heading}\n\n**The part failed:** ${error ?? 'no result'}`;
  return [heading, ...sectionBody(result)].join('\n\n');
}

function sectionBody(result: PartResult): string[] {
  const blocks: string[] = [];
  if (result.comparisons.length > 0) {
    blocks.push(
      '### Comparisons',
      markdownTable(
        ['subject', 'anchor', 'subject median', 'anchor median', 'ratio', 'added'],
        result.comparisons.map((c) => [
          c.subject,
          c.anchor,
          withUnit(c.subjectMedian, c.unit),
          withUnit(c.anchorMedian, c.unit),
          ratio(c.ratio),
          signedWithUnit(c.added, c.unit),
        ]),
        [2, 3, 4, 5],
      ),
    );
  }
  if (result.measurements.length > 0) {
    blocks.push(
      '### Measurements',
      markdownTable(
        ['measurement', 'median', 'p99', 'samples'],
        result.measurements.map((m) => [
          m.name,
          withUnit(m.median, m.unit),
          m.p99 === undefined ? '–' : withUnit(m.p99, m.unit),
          m.samples === undefined ? '–' : m.samples.toLocaleString('en-US'),
        ]),
        [1, 2, 3],
      ),
    );
  }
  if (result.notes.length > 0) blocks.push('### Notes', ...result.notes);
  if (result.skipped && result.skipped.length > 0) {
    const items = result.skipped.map((item) => `- ${item.replace(/\r?\n/g, '\n  ')}`);
    blocks.push('### Skipped', items.join('\n'));
  }
  return blocks;
}

/** The date as `2026-12-08 03:40 UTC`. */
const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/**
 * The whole document. A smoke run says so at the top: its numbers mean nothing.
 *
 * @example
 * writeFileSync('bench/RESULTS.md', resultsMarkdown(run));
 */
export function resultsMarkdown(run: BenchRun): string {
  const header = [
    '# ORBIT benchmarks against their anchors',
    ...(run.mode === 'smoke'
      ? [
          '> **Smoke run.** A few iterations of every measurement, to check that every part runs (CI); its ' +
            'numbers mean nothing. `pnpm bench` writes the real results to bench/RESULTS.md.',
        ]
      : []),
    `Run on ${utc(run.date)} in ${run.seconds.toFixed(0)} s with \`${run.command}\`.`,
    `Machine:\n\n${run.machine.map((line) => `- ${line}`).join('\n')}`,
    'Each part measures its subjects next to their anchors in the same process run, interleaved, after a ' +
      'warm-up, over several rounds; medians and p99. Absolute times move with the machine’s load (a shared ' +
      'machine): the ratios are what a claim rests on. Each target below is reported next to its anchor, met ' +
      'or not, and anything not met or not measured is named with its cause.',
    '## Targets',
    targetsTable(run.parts),
  ];
  return `${[...header, ...run.parts.map(partSection)].join('\n\n')}\n`;
}

/**
 * One part run alone (`--smoke` or full, while developing it): its section and its targets table, as
 * RESULTS.md shows them.
 */
export function partMarkdown(run: PartRun): string {
  return `${partSection(run)}\n\n### Targets\n\n${targetsTable([run])}`;
}
