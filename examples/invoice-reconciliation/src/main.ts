import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chooseFramework, setUpTracing } from '@orbit-agents/example-support';
import { type InvoiceRunReport, runInvoiceReconciliation, type StepReport } from './run-core.js';
import { defaultInvoiceModel, describeModel, runInvoiceReconciliationOnLangGraph } from './run-langgraph.js';
import {
  defaultInvoiceAgentsModel,
  describeAgentsModel,
  runInvoiceReconciliationOnOpenAIAgents,
} from './run-openai-agents.js';
import {
  defaultInvoiceAiModel,
  describeAiModel,
  runInvoiceReconciliationOnVercelAi,
} from './run-vercel-ai.js';

// The demo: the article's incident, prevented. By default on LangChain createAgent + LangGraph, with a
// scripted model (offline) or a real one when OPENAI_API_KEY is set; `--vercel-ai` (or
// ORBIT_FRAMEWORK=vercel-ai) runs it on the Vercel AI SDK the same way, `--openai-agents` (or
// ORBIT_FRAMEWORK=openai-agents) on the OpenAI Agents SDK; `--core` runs the core-only reference.
const framework = chooseFramework(process.argv.slice(2), process.env, 'langgraph');
const stamp = Date.now();
const auditPath = resolve(process.env.ORBIT_AUDIT_PATH ?? `.orbit/invoice-reconciliation-${stamp}.jsonl`);
const tracing = setUpTracing({
  serviceName: 'invoice-reconciliation',
  file: resolve(`.orbit/invoice-reconciliation-${stamp}.trace.jsonl`),
});
const telemetry = { tracer: tracing.tracer };
/** How the header names the model: offline and scripted, or the real one (the reviewer stays scripted). */
const withModel = (model: string) =>
  model === 'scripted (offline)'
    ? 'offline with a scripted model (set OPENAI_API_KEY to use a real one)'
    : `with the real model ${model}; the reviewer is still scripted`;
// ORBIT_STORE=<SQLite file>: the run lives in that store (where `orbit approvals` and `orbit console` see it);
// ORBIT_REVIEWER=person (core only): a person answers each pause there instead of the scripted reviewer.
const storePath = process.env.ORBIT_STORE ? resolve(process.env.ORBIT_STORE) : undefined;
const person = process.env.ORBIT_REVIEWER === 'person';
if (person && (framework !== 'core' || !storePath)) {
  console.error('ORBIT_REVIEWER=person needs ORBIT_FRAMEWORK=core and ORBIT_STORE=<SQLite file>.');
  process.exit(2);
}
let report: InvoiceRunReport;
let runsOn: string;
if (framework === 'core') {
  const store = storePath ? await openSqliteStore(storePath) : undefined;
  if (person) {
    console.log('A person answers each pause: open the console on this store in another terminal:');
    console.log(`  npx -y pnpm@10.34.9 orbit console --store ${storePath} --audit ${auditPath}\n`);
  }
  try {
    report = await runInvoiceReconciliation({
      auditPath,
      telemetry,
      store,
      reviewer: person ? 'person' : 'scripted',
      approvalTimeoutMs: 30 * 60_000,
    });
  } finally {
    await store?.close();
  }
  runsOn = `the ORBIT core alone (the core-only reference, --core), offline, ${person ? 'a person answering in the store' : 'scripted'}${storePath ? ` (store ${storePath})` : ''}`;
} else if (framework === 'vercel-ai') {
  const model = defaultInvoiceAiModel();
  report = await runInvoiceReconciliationOnVercelAi({ auditPath, telemetry, model });
  runsOn = `the Vercel AI SDK (generateText with ORBIT's toolApproval; pauses are the SDK's tool approvals), ${withModel(describeAiModel(model))}`;
} else if (framework === 'openai-agents') {
  const model = defaultInvoiceAgentsModel();
  report = await runInvoiceReconciliationOnOpenAIAgents({ auditPath, telemetry, model });
  runsOn = `the OpenAI Agents SDK (run() on an ORBIT-guarded agent; pauses are the SDK's interruptions, the paused RunState saved and restored; the SDK's traces stay local), ${withModel(describeAgentsModel(model))}`;
} else {
  const model = defaultInvoiceModel();
  report = await runInvoiceReconciliationOnLangGraph({ auditPath, telemetry, model });
  runsOn = `LangChain createAgent + LangGraph (ORBIT-guarded tools + middleware, MemorySaver checkpointer), ${withModel(describeModel(model))}`;
}
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
  const confidence = Number.isFinite(step.confidence) ? step.confidence.toFixed(2) : ' -- ';
  return `${String(index + 1).padStart(2)}. ${step.tool.padEnd(22)} conf ${confidence}  ${first.padEnd(16)} ${reasons.padEnd(44)} ${outcome}${step.approval ? ` (${step.approval})` : ''}`;
};

console.log("ORBIT demo: invoice reconciliation (the article's incident, prevented)");
console.log(`runs on:  ${runsOn}\n`);
console.log(
  `manifest: invoice-reconciliation-v2, maturity level 3, signed (kid ${report.kid}), ${report.digest}`,
);
console.log(`run:      ${report.runId}\n`);
for (const [index, step] of report.steps.entries()) console.log(line(step, index));
const halted = report.steps.find((step) => step.status === 'halted');
if (halted?.tool === 'merge_crm_accounts') {
  console.log('\nThe 71%-confidence account merge was halted before it ran; nothing ran after it.');
} else if (halted) {
  console.log(
    `\nThe run was halted at ${halted.tool} (${halted.decision.reasons.join(', ')}); nothing ran after it.`,
  );
} else {
  console.log('\nThe run was not halted: the model did not try the account merge this time.');
}
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

/** The SQLite store at `path` (its directory made when absent). */
async function openSqliteStore(path: string) {
  mkdirSync(dirname(path), { recursive: true });
  const { SqliteStore } = await import('@orbit-agents/core/stores/sqlite');
  return new SqliteStore({ path });
}
