import { resolve } from 'node:path';
import { setUpTracing } from '@orbit-agents/example-support';
import { runInvoiceReconciliation, type StepReport } from './run-core.js';

// The demo: the article's incident, prevented. Offline, scripted, on the core alone.
const stamp = Date.now();
const auditPath = resolve(process.env.ORBIT_AUDIT_PATH ?? `.orbit/invoice-reconciliation-${stamp}.jsonl`);
const tracing = setUpTracing({
  serviceName: 'invoice-reconciliation',
  file: resolve(`.orbit/invoice-reconciliation-${stamp}.trace.jsonl`),
});
const report = await runInvoiceReconciliation({ auditPath, telemetry: { tracer: tracing.tracer } });
await tracing.shutdown();

const line = (step: StepReport, index: number) => {
  const outcome =
    step.status === 'executed'
      ? 'executed'
      : step.status === 'halted'
        ? 'RUN HALTED'
        : step.status === 'refused'
          ? 'not executed'
          : 'tool error';
  const reasons = step.decision.reasons.length ? step.decision.reasons.join(', ') : '-';
  const first = step.paused ? 'pause' : step.decision.decision;
  return `${String(index + 1).padStart(2)}. ${step.tool.padEnd(22)} conf ${step.confidence.toFixed(2)}  ${first.padEnd(16)} ${reasons.padEnd(44)} ${outcome}${step.approval ? ` (${step.approval})` : ''}`;
};

console.log("ORBIT demo: invoice reconciliation (the article's incident, prevented)\n");
console.log(
  `manifest: invoice-reconciliation-v2, maturity level 3, signed (kid ${report.kid}), ${report.digest}`,
);
console.log(`run:      ${report.runId}\n`);
for (const [index, step] of report.steps.entries()) console.log(line(step, index));
console.log('\nThe 71%-confidence account merge was halted before it ran; nothing ran after it.');
if (report.rollback) {
  const r = report.rollback;
  const list = (entries: typeof r.undone) =>
    entries.length ? entries.map((e) => `${e.tool}${e.resource ? ` ${e.resource}` : ''}`).join('; ') : 'none';
  console.log('\nRollback report:');
  console.log(`  undone automatically:  ${list(r.undone)}`);
  console.log(`  manual recovery:       ${list(r.manual_recovery)}`);
  console.log(`  unrecoverable:         ${list(r.unrecoverable)}`);
  if (r.undo_failed.length) console.log(`  undo failed:           ${list(r.undo_failed)}`);
}
console.log(
  `\nAccounts merged: ${report.billing.merged ? 'YES' : 'no'}; invoices: ${[...report.billing.invoices].map(([id, s]) => `${id}=${s}`).join(', ')}`,
);
console.log(`Audit log (JSONL): ${auditPath}`);
console.log(`Trace (OpenTelemetry spans): ${tracing.destinations.join('; ')}`);
