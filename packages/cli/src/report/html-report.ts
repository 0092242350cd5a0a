import type { AgentReport, ReportDocument } from './build-report.js';
import { escapeHtml as e } from './escape.js';
import { binLabel, CRITERION_LABELS, criterionValue, day, duration, fixed, pct, shares } from './format.js';
import { barChartSvg, horizontalBarSvg, lineChartSvg } from './svg-charts.js';

/** The report page's CSS (inline: the page loads nothing). */
export const REPORT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a202c;margin:0;background:#f7fafc}
main{max-width:980px;margin:0 auto;padding:24px}
section.agent{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:16px 20px;margin:20px 0}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #e2e8f0;padding:4px 8px;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}svg.chart{max-width:100%;height:auto;font-family:inherit}
.met{color:#276749;font-weight:600}.not-met{color:#9b2c2c;font-weight:600}
.ready{color:#276749}.not-ready{color:#9b2c2c}details{margin:4px 0 12px}
`;

/**
 * The whole report as ONE self-contained HTML page: no script, no external CSS, font or image (a
 * Content-Security-Policy forbids any), charts as inline SVG with a table beside each. Every name from
 * the events (agent ids, tools, files) is escaped.
 */
export function renderReportHtml(doc: ReportDocument): string {
  const { report, metrics } = doc;
  const summary = [
    `<p>Audit files: ${e(report.sources.join(', ') || 'n/a')}. ${metrics.events} events, ${e(day(metrics.firstEvent))} to ${e(day(metrics.lastEvent))}.`,
    report.agent !== null ? ` Agent: ${e(report.agent)}.` : '',
    report.since !== null ? ` Since: ${e(report.since)}.` : '',
    report.skippedLines > 0 ? ` Skipped ${report.skippedLines} lines that are not audit events.` : '',
    '</p>',
  ].join('');
  const drift = metrics.drift
    ? `<p>Confidence drift compares the baseline period ${e(metrics.drift.baseline.from)} to ${e(metrics.drift.baseline.to)} with the current period ${e(metrics.drift.current.from)} to ${e(metrics.drift.current.to)}.</p>`
    : '';
  const nav =
    doc.agents.length > 1
      ? `<nav aria-label="Agents"><ul>${doc.agents.map((a, i) => `<li><a href="#agent-${i}">${e(a.agentId)}</a></li>`).join('')}</ul></nav>`
      : '';
  const body =
    doc.agents.length === 0
      ? '<p><strong>No events</strong>: the audit files hold no audit events (after the filters).</p>'
      : doc.agents.map((agent, i) => renderAgentSectionHtml(doc, agent, `agent-${i}`)).join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<title>ORBIT weekly review</title>',
    `<style>${REPORT_CSS}</style>`,
    '</head><body><main>',
    '<h1>ORBIT weekly review</h1>',
    summary,
    drift,
    nav,
    body,
    '</main></body></html>',
    '',
  ].join('\n');
}

/**
 * One agent's section: key figures, the confidence histogram and its drift, the rates over time, the
 * threshold recommendations and the maturity readiness, each chart with a table fallback. `id` prefixes
 * every element id (use a fresh one per section on a page).
 */
export function renderAgentSectionHtml(doc: ReportDocument, report: AgentReport, id: string): string {
  const agent = doc.metrics.agents[report.agentId]!;
  const { runs, resolution: r, answers, approvalLatencyMs: latency } = agent;
  const figures: [string, string][] = [
    ['Runs', `${runs.started} started, ${runs.ended} ended (${runs.halted} halted), ${runs.open} open`],
    [
      'Task outcomes',
      `success ${runs.success}, failure ${runs.failure}, abandoned ${runs.abandoned} (${runs.neverEnded} never ended), unreported ${runs.unreported}; success rate ${pct(runs.taskSuccessRate)}, abandonment ${pct(runs.abandonmentRate)}`,
    ],
    [
      'Decisions',
      `${agent.decisions}: ${Object.entries(agent.decisionsByKind)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ')}`,
    ],
    [
      'Interrupt rate',
      `${pct(agent.interruptRate)} (${agent.interrupts} pauses; human ${r.human}, timeout ${r.timeout}, no approval handler ${r.noApprovalHandler}, handler failed ${r.handlerFailed}, pending ${r.pending}; escalated ${r.escalated})`,
    ],
    [
      'Override rate',
      `${pct(agent.humanOverrideRate)} (${agent.humanOverrides} of ${agent.humanAnswers} human answers: approve ${answers.approve}, deny ${answers.deny}, edit ${answers.edit})`,
    ],
    [
      'Approval latency',
      `p50 ${duration(latency.p50)}, p90 ${duration(latency.p90)}, max ${duration(latency.max)} (${latency.count} answers)`,
    ],
    ['Halts', `${agent.decisionsByKind.halt} (${agent.boundaryHalts} outside the manifest)`],
  ];
  const levelNote = { option: 'given', events: 'from its decisions', default: 'none recorded; assumed' }[
    report.levelSource
  ];
  return [
    `<section class="agent" id="${id}" aria-labelledby="${id}-h">`,
    `<h2 id="${id}-h">Agent ${e(report.agentId)}</h2>`,
    `<p>Maturity level ${report.level} (${levelNote}). ${e(day(agent.firstEvent))} to ${e(day(agent.lastEvent))}, ${agent.daysInProduction.toFixed(1)} days.</p>`,
    `<table class="figures"><caption>Key figures</caption><tbody>${figures.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${e(v)}</td></tr>`).join('')}</tbody></table>`,
    confidenceHtml(agent, id),
    seriesHtml(doc, report, id),
    thresholdsHtml(report, id),
    readinessHtml(report),
    '</section>',
  ].join('\n');
}

type Agent = ReportDocument['metrics']['agents'][string];

function confidenceHtml(agent: Agent, id: string): string {
  const bins = agent.confidence.bins;
  const labels = bins.map((_, i) => binLabel(i, bins.length));
  const d = agent.drift;
  const series = d
    ? [
        { name: `baseline (${d.baseline.count})`, values: shares(d.baseline.bins) },
        { name: `current (${d.current.count})`, values: shares(d.current.bins) },
      ]
    : [{ name: `all decisions (${agent.confidence.count})`, values: shares(bins) }];
  const heading = d
    ? `Confidence histogram and drift: PSI ${fixed(d.psi, 3)} (${d.interpretation.replace('_', ' ')})`
    : 'Confidence histogram (drift not measured: the events span no time)';
  const svg = barChartSvg(
    `${id}-conf`,
    {
      title: heading,
      description: d
        ? 'Share of decisions per confidence bin, baseline period and current period side by side.'
        : 'Share of decisions per confidence bin.',
      xLabel: 'confidence',
      yLabel: 'share of decisions',
    },
    labels,
    series,
  );
  const rows = labels
    .map(
      (label, i) =>
        `<tr><th scope="row">${label}</th><td class="num">${bins[i]}</td>${d ? `<td class="num">${d.baseline.bins[i]} (${pct(series[0]!.values[i])})</td><td class="num">${d.current.bins[i]} (${pct(series[1]!.values[i])})</td>` : ''}</tr>`,
    )
    .join('');
  const head = `<tr><th scope="col">confidence</th><th scope="col" class="num">all decisions</th>${d ? '<th scope="col" class="num">baseline</th><th scope="col" class="num">current</th>' : ''}</tr>`;
  return [
    `<h3>Confidence</h3>`,
    `<p>${agent.confidence.count} decisions with a confidence, ${agent.confidence.missing} without; mean ${fixed(agent.confidence.mean, 3)}.</p>`,
    `<figure><figcaption>${e(heading)}</figcaption>${svg}`,
    `<details><summary>Table: confidence histogram</summary><table><thead>${head}</thead><tbody>${rows}</tbody></table></details></figure>`,
  ].join('\n');
}

function seriesHtml(doc: ReportDocument, report: AgentReport, id: string): string {
  const points = report.series;
  const labels = points.map((p) => day(p.from));
  const title = `Interrupt and override rates per ${doc.report.bucket}`;
  const svg = lineChartSvg(
    `${id}-rates`,
    {
      title,
      description: `Interrupt rate (pauses / decisions) and human override rate ((deny + edit) / human answers) per ${doc.report.bucket}; gaps where there was no data.`,
      xLabel: `${doc.report.bucket} (UTC, start)`,
      yLabel: 'rate',
    },
    labels,
    [
      { name: 'interrupt rate', values: points.map((p) => p.interruptRate) },
      { name: 'override rate', values: points.map((p) => p.humanOverrideRate) },
    ],
  );
  const rows = points
    .map(
      (p) =>
        `<tr><th scope="row">${e(day(p.from))}</th><td class="num">${p.decisions}</td><td class="num">${p.interrupts}</td><td class="num">${pct(p.interruptRate)}</td><td class="num">${p.humanAnswers}</td><td class="num">${p.humanOverrides}</td><td class="num">${pct(p.humanOverrideRate)}</td></tr>`,
    )
    .join('');
  return [
    `<h3>${e(title)}</h3>`,
    `<figure><figcaption>${e(title)}</figcaption>${svg}`,
    `<details><summary>Table: rates per ${doc.report.bucket}</summary><table><thead><tr><th scope="col">${doc.report.bucket}</th><th scope="col" class="num">decisions</th><th scope="col" class="num">pauses</th><th scope="col" class="num">interrupt rate</th><th scope="col" class="num">human answers</th><th scope="col" class="num">overrides</th><th scope="col" class="num">override rate</th></tr></thead><tbody>${rows}</tbody></table></details></figure>`,
  ].join('\n');
}

function thresholdsHtml(report: AgentReport, id: string): string {
  const t = report.thresholds;
  const tools = Object.entries(t.tools);
  const title = `Recommended confidence threshold per tool (target override rate ${pct(t.targetOverrideRate)})`;
  const rows = tools.map(([tool, rec]) => ({
    label: tool,
    value: rec.threshold,
    note:
      rec.threshold === null
        ? `none: ${rec.reason.replaceAll('_', ' ')}`
        : `${rec.threshold} (${rec.sampleSize} answers)`,
  }));
  const svg = horizontalBarSvg(
    `${id}-thr`,
    {
      title,
      description: `The lowest confidence whose human answers keep the override rate's ${pct(t.confidenceLevel)} upper bound at or below the target, with at least ${t.minSamples} answers; no bar where there is none.`,
      xLabel: 'confidence threshold',
      yLabel: 'tool',
    },
    rows,
  );
  const table = tools
    .map(
      ([tool, rec]) =>
        `<tr><th scope="row">${e(tool)}</th><td class="num">${rec.threshold ?? 'none'}</td><td class="num">${rec.threshold === null ? 'n/a' : pct(rec.overrideRate)}</td><td class="num">${rec.threshold === null ? 'n/a' : pct(rec.upperBound)}</td><td class="num">${rec.sampleSize}</td><td>${rec.threshold === null ? e(rec.reason) : ''}</td></tr>`,
    )
    .join('');
  return [
    `<h3>Threshold recommendations</h3>`,
    tools.length === 0
      ? '<p>No tools.</p>'
      : `<figure><figcaption>${e(title)}</figcaption>${svg}<details><summary>Table: threshold recommendations</summary><table><thead><tr><th scope="col">tool</th><th scope="col" class="num">threshold</th><th scope="col" class="num">override rate</th><th scope="col" class="num">upper bound</th><th scope="col" class="num">answers</th><th scope="col">why none</th></tr></thead><tbody>${table}</tbody></table></details></figure>`,
  ].join('\n');
}

function readinessHtml(report: AgentReport): string {
  const r = report.readiness;
  if (r.nextLevel === null) {
    return `<h3>Maturity readiness</h3><p>Level ${r.currentLevel} is the highest level.</p>`;
  }
  const rows = r.checks
    .map(
      (c) =>
        `<tr><th scope="row">${e(CRITERION_LABELS[c.criterion] ?? c.criterion)}</th><td class="num">${criterionValue(c.criterion, c.actual)}</td><td class="num">${criterionValue(c.criterion, c.limit)}</td><td class="${c.passed ? 'met' : 'not-met'}">${c.passed ? 'met' : 'not met'}</td></tr>`,
    )
    .join('');
  const reasons = r.reasons.filter(Boolean);
  return [
    `<h3>Maturity readiness: level ${r.currentLevel} to ${r.nextLevel}: <span class="${r.ready ? 'ready' : 'not-ready'}">${r.ready ? 'ready' : 'not ready'}</span></h3>`,
    `<table><caption>Readiness criteria for level ${r.nextLevel}</caption><thead><tr><th scope="col">criterion</th><th scope="col" class="num">actual</th><th scope="col" class="num">limit</th><th scope="col">result</th></tr></thead><tbody>${rows}</tbody></table>`,
    reasons.length ? `<ul>${reasons.map((reason) => `<li>${e(reason)}</li>`).join('')}</ul>` : '',
  ].join('\n');
}
