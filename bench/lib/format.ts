// The benches' output: numbers as µs and percentages, and Markdown tables (BENCHMARKS.md quotes them as printed).

/** ns as µs, with thousands separators and `digits` decimals. */
export const us = (ns: number, digits = 1) =>
  (ns / 1e3).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A ratio as a percentage with two decimals: 0.0123 → `1.23%`. */
export const pct = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;

/**
 * A Markdown table, first column left-aligned, the others right-aligned, every column as wide as its widest cell.
 *
 * @example
 * console.log(table(['variant', 'median µs'], [['alone', '12.0']]));
 */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}
