import { escapeHtml as e } from './escape.js';

/** One named series of a chart: values in [0, 1] (null: no data at that point). */
export interface ChartSeries {
  name: string;
  values: readonly (number | null)[];
}

/** What every chart states for a screen reader and on its axes. */
export interface ChartText {
  /** The chart's `<title>` (its accessible name). */
  title: string;
  /** Its `<desc>`: what it shows, in one sentence. */
  description: string;
  xLabel: string;
  yLabel: string;
}

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 28, bottom: 56 };
const COLOURS = ['#2b6cb0', '#c05621'];
const DASHES = ['', '6 4'];
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

const n = (value: number) => Number(value.toFixed(2));

/** The opening of a chart: an accessible `<svg role="img">` with its title, description and frame. */
function open(text: ChartText, id: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart">`,
    `<title id="${id}-title">${e(text.title)}</title>`,
    `<desc id="${id}-desc">${e(text.description)}</desc>`,
  ].join('');
}

/** The y axis from 0 to 1 (as %), its grid, and both axis labels. */
function axes(text: ChartText): string {
  const parts: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = n(PAD.top + PLOT_H * (1 - tick));
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${n(y + 4)}" text-anchor="end" font-size="11">${tick * 100}%</text>`,
    );
  }
  parts.push(
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + PLOT_H}" stroke="#333"/>`,
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + PLOT_H}" y2="${PAD.top + PLOT_H}" stroke="#333"/>`,
    `<text x="${PAD.left + PLOT_W / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="12" class="axis-label">${e(text.xLabel)}</text>`,
    `<text x="14" y="${PAD.top + PLOT_H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${PAD.top + PLOT_H / 2})" class="axis-label">${e(text.yLabel)}</text>`,
  );
  return parts.join('');
}

function legend(series: readonly ChartSeries[], line: boolean): string {
  return series
    .map((s, i) => {
      const x = PAD.left + i * 200;
      const mark = line
        ? `<line x1="${x}" x2="${x + 18}" y1="14" y2="14" stroke="${COLOURS[i % 2]}" stroke-width="2.5" stroke-dasharray="${DASHES[i % 2]}"/>`
        : `<rect x="${x}" y="8" width="12" height="12" fill="${COLOURS[i % 2]}"/>`;
      return `${mark}<text x="${x + 22}" y="18" font-size="12">${e(s.name)}</text>`;
    })
    .join('');
}

/** Labels along the x axis, thinned to at most ~12 so they stay readable. */
function xLabels(labels: readonly string[], xOf: (i: number) => number): string {
  const step = Math.max(1, Math.ceil(labels.length / 12));
  return labels
    .map((label, i) =>
      i % step === 0
        ? `<text x="${n(xOf(i))}" y="${PAD.top + PLOT_H + 16}" text-anchor="middle" font-size="10">${e(label)}</text>`
        : '',
    )
    .join('');
}

/**
 * Grouped vertical bars: one group per label (a histogram bin), one bar per series (e.g. the baseline
 * and the current period side by side). Values are shares in [0, 1].
 */
export function barChartSvg(
  id: string,
  text: ChartText,
  labels: readonly string[],
  series: readonly ChartSeries[],
): string {
  const group = PLOT_W / Math.max(1, labels.length);
  const barW = (group * 0.8) / Math.max(1, series.length);
  const bars: string[] = [];
  series.forEach((s, k) => {
    s.values.forEach((value, i) => {
      const v = Math.max(0, Math.min(1, value ?? 0));
      const h = PLOT_H * v;
      const x = PAD.left + group * i + group * 0.1 + barW * k;
      bars.push(
        `<rect x="${n(x)}" y="${n(PAD.top + PLOT_H - h)}" width="${n(barW)}" height="${n(h)}" fill="${COLOURS[k % 2]}"><title>${e(`${s.name}, ${labels[i] ?? ''}: ${(v * 100).toFixed(1)}%`)}</title></rect>`,
      );
    });
  });
  return `${open(text, id)}${axes(text)}${legend(series, false)}${bars.join('')}${xLabels(labels, (i) => PAD.left + group * (i + 0.5))}</svg>`;
}

/** Lines over time: one per series (rates in [0, 1]); a null value breaks the line (no data then). */
export function lineChartSvg(
  id: string,
  text: ChartText,
  labels: readonly string[],
  series: readonly ChartSeries[],
): string {
  const step = labels.length > 1 ? PLOT_W / (labels.length - 1) : 0;
  const xOf = (i: number) => PAD.left + (labels.length > 1 ? step * i : PLOT_W / 2);
  const yOf = (v: number) => PAD.top + PLOT_H * (1 - Math.max(0, Math.min(1, v)));
  const parts: string[] = [];
  series.forEach((s, k) => {
    let path = '';
    let pen = false;
    s.values.forEach((value, i) => {
      if (value === null) {
        pen = false;
        return;
      }
      path += `${pen ? 'L' : 'M'}${n(xOf(i))} ${n(yOf(value))} `;
      pen = true;
      parts.push(
        `<circle cx="${n(xOf(i))}" cy="${n(yOf(value))}" r="3" fill="${COLOURS[k % 2]}"><title>${e(`${s.name}, ${labels[i] ?? ''}: ${(value * 100).toFixed(1)}%`)}</title></circle>`,
      );
    });
    if (path)
      parts.unshift(
        `<path d="${path.trim()}" fill="none" stroke="${COLOURS[k % 2]}" stroke-width="2.5" stroke-dasharray="${DASHES[k % 2]}"/>`,
      );
  });
  return `${open(text, id)}${axes(text)}${legend(series, true)}${parts.join('')}${xLabels(labels, xOf)}</svg>`;
}

/** One row of a horizontal bar chart: a value in [0, 1], or null with a note saying why there is none. */
export interface BarRow {
  label: string;
  value: number | null;
  note: string;
}

/** Horizontal bars, one per row (e.g. the recommended confidence threshold of each tool). */
export function horizontalBarSvg(id: string, text: ChartText, rows: readonly BarRow[]): string {
  const rowH = 26;
  const left = 180;
  const right = 180;
  const height = PAD.top + rows.length * rowH + 44;
  const plotW = WIDTH - left - right;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart">`,
    `<title id="${id}-title">${e(text.title)}</title><desc id="${id}-desc">${e(text.description)}</desc>`,
  ];
  for (const tick of [0, 0.5, 1]) {
    const x = n(left + plotW * tick);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${PAD.top - 6}" y2="${PAD.top + rows.length * rowH}" stroke="#ddd"/>`,
      `<text x="${x}" y="${PAD.top + rows.length * rowH + 14}" text-anchor="middle" font-size="11">${tick.toFixed(1)}</text>`,
    );
  }
  rows.forEach((row, i) => {
    const y = PAD.top + i * rowH;
    const label = row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label;
    parts.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end" font-size="12">${e(label)}</text>`);
    if (row.value !== null) {
      const w = plotW * Math.max(0, Math.min(1, row.value));
      parts.push(
        `<rect x="${left}" y="${y + 4}" width="${n(w)}" height="${rowH - 8}" fill="${COLOURS[0]}"><title>${e(`${row.label}: ${row.note}`)}</title></rect>`,
      );
    }
    parts.push(
      `<text x="${left + plotW + 8}" y="${y + 16}" font-size="11">${e(row.note.length > 30 ? `${row.note.slice(0, 29)}…` : row.note)}</text>`,
    );
  });
  parts.push(
    `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12" class="axis-label">${e(text.xLabel)}</text>`,
    `<text x="12" y="${PAD.top - 10}" font-size="12" class="axis-label">${e(text.yLabel)}</text>`,
    '</svg>',
  );
  return parts.join('');
}
