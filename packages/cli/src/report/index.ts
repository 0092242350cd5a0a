/**
 * The report of audit logs, computed with the core's metrics and rendered as text, as a self-contained
 * HTML page, or as parts of one (for the console's report page):
 *
 * - `buildReport(events, options)` → a `ReportDocument` (what `orbit report --json` prints).
 * - `renderReportText(doc, style?)`: the weekly review as plain text.
 * - `renderReportHtml(doc)`: one HTML page, no script and nothing loaded; `renderAgentSectionHtml` and
 *   `REPORT_CSS` to embed one agent's section in another page.
 * - `barChartSvg`, `lineChartSvg`, `horizontalBarSvg`: the inline SVG charts; `escapeHtml` for the rest.
 */
export {
  type AgentReport,
  buildReport,
  type MaturityLevel,
  type ReportDocument,
  type ReportOptions,
} from './build-report.js';
export { type DriftPeriods, defaultDriftPeriods, parsePeriod, timeRange } from './drift-periods.js';
export { escapeHtml, printable } from './escape.js';
export { REPORT_CSS, renderAgentSectionHtml, renderReportHtml } from './html-report.js';
export {
  type BarRow,
  barChartSvg,
  type ChartSeries,
  type ChartText,
  horizontalBarSvg,
  lineChartSvg,
} from './svg-charts.js';
export { renderReportText } from './text-report.js';
export { type Bucket, type SeriesPoint, seriesByAgent } from './time-series.js';
