import type { GroupMetrics } from '@orbit-agents/core/metrics';
import type { Style } from '../io.js';
import type { AgentReport, ReportDocument } from './build-report.js';
import { printable } from './escape.js';
import { binLabel, CRITERION_LABELS, criterionValue, day, duration, fixed, pct, shares } from './format.js';

const plain = (text: string) => text;
const PLAIN: Style = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain };
const BAR_WIDTH = 30;

/**
 * The weekly review as text: per agent, runs and outcomes, decisions by kind, interrupt and override
 * rates, approval latency, the confidence histogram and its drift (text bars), the rates over time,
 * threshold recommendations per tool and maturity readiness. Plain unless given a colour `style`.
 */
export function renderReportText(doc: ReportDocument, style: Style = PLAIN): string {
  const { report, metrics } = doc;
  const lines: string[] = [style.bold('ORBIT weekly review')];
  lines.push(`Audit files: ${report.sources.length ? report.sources.map(printable).join(', ') : 'n/a'}`);
  lines.push(`Events: ${metrics.events}, ${day(metrics.firstEvent)} to ${day(metrics.lastEvent)}`);
  if (report.agent !== null) lines.push(`Agent: ${printable(report.agent)}`);
  if (report.since !== null) lines.push(`Since: ${report.since}`);
  if (report.skippedLines > 0)
    lines.push(style.yellow(`Skipped: ${report.skippedLines} lines that are not audit events`));
  if (metrics.drift) {
    const { baseline, current } = metrics.drift;
    lines.push(
      `Drift periods: baseline ${baseline.from} to ${baseline.to}, current ${current.from} to ${current.to}`,
    );
  }
  for (const agent of doc.agents) lines.push('', ...agentSection(doc, agent, style));
  return lines.join('\n');
}

function agentSection(doc: ReportDocument, report: AgentReport, style: Style): string[] {
  const agent = doc.metrics.agents[report.agentId]!;
  const { runs, resolution: r, answers, approvalLatencyMs: latency } = agent;
  const source = { option: 'from --level', events: 'from its decisions', default: 'none recorded; assumed' }[
    report.levelSource
  ];
  const lines = [
    `${style.bold(`Agent ${printable(report.agentId)}`)} (maturity level ${report.level}, ${source})`,
    `  Period      ${day(agent.firstEvent)} to ${day(agent.lastEvent)} (${agent.daysInProduction.toFixed(1)} days)`,
    `  Runs        ${runs.started} started, ${runs.ended} ended (${runs.halted} halted), ${runs.open} open; outcomes: success ${runs.success}, failure ${runs.failure}, abandoned ${runs.abandoned} (${runs.neverEnded} never ended), unreported ${runs.unreported}`,
    `              task success ${pct(runs.taskSuccessRate)}, abandonment ${pct(runs.abandonmentRate)}`,
    `  Decisions   ${agent.decisions}: ${kinds(agent)}`,
    `  Interrupts  ${agent.interrupts} pauses, interrupt rate ${pct(agent.interruptRate)}; human ${r.human}, timeout ${r.timeout}, no approval handler ${r.noApprovalHandler}, handler failed ${r.handlerFailed}, pending ${r.pending}; escalated ${r.escalated}`,
    `  Overrides   ${agent.humanOverrides} of ${agent.humanAnswers} human answers, override rate ${pct(agent.humanOverrideRate)} (approve ${answers.approve}, deny ${answers.deny}, edit ${answers.edit})`,
    `  Latency     p50 ${duration(latency.p50)}, p90 ${duration(latency.p90)}, max ${duration(latency.max)} (${latency.count} answers)`,
    `  Halts       ${agent.decisionsByKind.halt} (${agent.boundaryHalts} outside the manifest)`,
    '',
    `  Confidence  ${agent.confidence.count} decisions with a confidence, ${agent.confidence.missing} without, mean ${fixed(agent.confidence.mean, 3)}`,
    ...histogram(agent.confidence.bins),
    '',
    ...drift(agent),
    '',
    `  Over time (per ${doc.report.bucket})`,
    ...report.series.map(
      (point) =>
        `    ${day(point.from)}  decisions ${String(point.decisions).padStart(5)}  interrupt rate ${pct(point.interruptRate).padStart(6)}  override rate ${pct(point.humanOverrideRate).padStart(6)} (${point.humanAnswers} answers)`,
    ),
    '',
    ...thresholds(report),
    '',
    ...readiness(report, style),
  ];
  return lines;
}

function kinds(group: GroupMetrics): string {
  return Object.entries(group.decisionsByKind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
}

function bar(share: number): string {
  return '#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH);
}

function histogram(bins: readonly number[]): string[] {
  const share = shares(bins);
  return bins.map(
    (count, i) => `    ${binLabel(i, bins.length)} |${bar(share[i]!)}| ${count} (${pct(share[i]!)})`,
  );
}

function drift(agent: GroupMetrics): string[] {
  const d = agent.drift;
  if (!d) return ['  Drift       not measured (the events span no time)'];
  const head = `  Drift       PSI ${fixed(d.psi, 3)} (${d.interpretation.replace('_', ' ')}): baseline ${d.baseline.count} decisions, current ${d.current.count}`;
  const base = shares(d.baseline.bins);
  const now = shares(d.current.bins);
  const width = 16;
  const short = (share: number) => '#'.repeat(Math.round(share * width)).padEnd(width);
  return [
    head,
    `    ${'bin'.padEnd(binLabel(0, base.length).length)}  ${'baseline'.padEnd(width + 8)}  current`,
    ...base.map(
      (share, i) =>
        `    ${binLabel(i, base.length)}  ${short(share)} ${pct(share).padStart(6)}  ${short(now[i]!)} ${pct(now[i]!).padStart(6)}`,
    ),
  ];
}

function thresholds(report: AgentReport): string[] {
  const t = report.thresholds;
  const lines = [
    `  Threshold recommendations (target override rate ${pct(t.targetOverrideRate)}, ${pct(t.confidenceLevel)} upper bound, at least ${t.minSamples} answers)`,
  ];
  const tools = Object.entries(t.tools);
  if (tools.length === 0) lines.push('    no tools');
  const width = Math.max(0, ...tools.map(([tool]) => tool.length));
  for (const [name, rec] of tools) {
    const tool = printable(name);
    lines.push(
      rec.threshold === null
        ? `    ${tool.padEnd(width)}  none: ${rec.reason.replaceAll('_', ' ')} (${rec.sampleSize} answers)`
        : `    ${tool.padEnd(width)}  ${rec.threshold}  (override rate ${pct(rec.overrideRate)}, upper bound ${pct(rec.upperBound)}, ${rec.sampleSize} answers)`,
    );
  }
  return lines;
}

function readiness(report: AgentReport, style: Style): string[] {
  const r = report.readiness;
  if (r.nextLevel === null) return [`  Maturity readiness: level ${r.currentLevel} is the highest level`];
  const verdict = r.ready ? style.green('READY') : style.red('NOT READY');
  const lines = [`  Maturity readiness, level ${r.currentLevel} to ${r.nextLevel}: ${verdict}`];
  const width = Math.max(...Object.values(CRITERION_LABELS).map((label) => label.length));
  for (const check of r.checks) {
    const mark = check.passed ? style.green('met    ') : style.red('not met');
    const label = CRITERION_LABELS[check.criterion] ?? check.criterion;
    lines.push(
      `    ${mark}  ${label.padEnd(width)}  ${criterionValue(check.criterion, check.actual).padStart(7)}  (limit ${criterionValue(check.criterion, check.limit)})`,
    );
  }
  for (const reason of r.reasons) if (reason) lines.push(`    - ${reason}`);
  return lines;
}
