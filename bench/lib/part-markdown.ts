// A part's result as a Markdown section: its measurements, comparisons and targets as tables, then its notes.
// Used by the parts' own scripts (bench/parts/*.main.ts) to print what RESULTS.md will show.
import { table } from './format.js';
import type { Measurement, PartResult } from './results.js';

/** A figure with thousands separators: whole numbers at 1,000 and above, two significant decimals below. */
const figure = (value: number | undefined) => {
  if (value === undefined || Number.isNaN(value)) return '-';
  const digits = Math.abs(value) >= 1_000 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

const ratio = (value: number) => `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 3)}×`;

const unitOf = (measurements: readonly Measurement[]) => {
  const units = new Set(measurements.map((m) => m.unit));
  return units.size === 1 ? [...units][0]! : undefined;
};

/**
 * The result as a Markdown section headed `## title`.
 *
 * @example
 * console.log(partMarkdown(await decisionPart('smoke')));
 */
export function partMarkdown(result: PartResult): string {
  const unit = unitOf(result.measurements);
  const suffix = (m: Measurement) => (unit ? '' : ` ${m.unit}`);
  const sections = [`## ${result.title}`];
  if (result.skipped?.length) sections.push(result.skipped.map((line) => `Skipped: ${line}`).join('\n\n'));
  if (result.measurements.length > 0)
    sections.push(
      table(
        ['operation', `median${unit ? ` ${unit}` : ''}`, `p99${unit ? ` ${unit}` : ''}`, 'samples'],
        result.measurements.map((m) => [
          m.name,
          `${figure(m.median)}${suffix(m)}`,
          m.p99 === undefined ? '-' : `${figure(m.p99)}${suffix(m)}`,
          m.samples === undefined ? '-' : m.samples.toLocaleString('en-US'),
        ]),
      ),
    );
  if (result.comparisons.length > 0)
    sections.push(
      table(
        ['subject', 'anchor', 'subject median', 'anchor median', 'ratio', 'added'],
        result.comparisons.map((c) => [
          c.subject,
          c.anchor,
          `${figure(c.subjectMedian)} ${c.unit}`,
          `${figure(c.anchorMedian)} ${c.unit}`,
          ratio(c.ratio),
          `${c.added >= 0 ? '+' : ''}${figure(c.added)} ${c.unit}`,
        ]),
      ),
    );
  if (result.targets.length > 0)
    sections.push(
      result.targets
        .map(
          (t) =>
            `- **${t.status}**: ${t.target} (${t.source}). Measured: ${t.measured}.${t.cause ? ` Cause: ${t.cause}.` : ''}`,
        )
        .join('\n'),
    );
  sections.push(...result.notes);
  return sections.join('\n\n');
}
