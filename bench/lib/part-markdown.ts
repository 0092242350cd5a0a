// A part's result as a Markdown section, for running one part alone (the runner writes RESULTS.md itself).

import { table } from './format.js';
import type { Measurement, PartResult } from './results.js';

const figure = (value: number | undefined, unit: Measurement['unit']) =>
  value === undefined
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: unit === 'ns' || unit === 'ops/s' ? 0 : 2 });

/**
 * The section: its title, the comparisons (subject next to anchor), the targets, the measurements, the notes.
 *
 * @example
 * console.log(partMarkdown(await scalePart('smoke')));
 */
export function partMarkdown(result: PartResult): string {
  const lines = [`## ${result.title}`, ''];
  if (result.skipped?.length) lines.push(...result.skipped.map((skip) => `Skipped: ${skip}`), '');
  if (result.comparisons.length) {
    lines.push(
      table(
        ['subject', 'anchor', 'subject median', 'anchor median', 'ratio', 'added'],
        result.comparisons.map((c) => [
          c.subject,
          c.anchor,
          `${figure(c.subjectMedian, c.unit)} ${c.unit}`,
          `${figure(c.anchorMedian, c.unit)} ${c.unit}`,
          `${c.ratio.toFixed(2)}×`,
          `${c.added >= 0 ? '+' : ''}${figure(c.added, c.unit)} ${c.unit}`,
        ]),
      ),
      '',
    );
  }
  if (result.targets.length) {
    lines.push(
      table(
        ['target', 'source', 'measured', 'status'],
        result.targets.map((t) => [
          t.target,
          t.source,
          t.measured,
          t.cause ? `${t.status}: ${t.cause}` : t.status,
        ]),
      ),
      '',
    );
  }
  if (result.measurements.length) {
    lines.push(
      table(
        ['measurement', 'unit', 'median', 'p99', 'samples'],
        result.measurements.map((m) => [
          m.name,
          m.unit,
          figure(m.median, m.unit),
          figure(m.p99, m.unit),
          m.samples === undefined ? '–' : m.samples.toLocaleString('en-US'),
        ]),
      ),
      '',
    );
  }
  for (const note of result.notes) lines.push(note, '');
  return lines.join('\n');
}
