import {
  type ApprovalRequest,
  type AuditSink,
  type CallResult,
  createOrbit,
  type Decision,
  JsonlFileSink,
  type RollbackReport,
  RunHaltedError,
  type TelemetryOptions,
  type ToolDefinition,
} from '@orbit-agents/core';
import type { RunStore } from '@orbit-agents/core/stores';
import { loadSignedManifest } from './manifest.js';
import { INVOICE_STEPS, scriptedReviewer } from './scenario.js';
import { createTools, FakeBilling } from './tools.js';

export { MANIFEST_URL } from './manifest.js';

export interface StepReport {
  tool: string;
  confidence: number;
  /** The decision after any approval. */
  decision: Decision;
  /** True when the call first paused for a human. */
  paused: boolean;
  status: CallResult['status'] | 'halted';
  approval?: string;
}

export interface InvoiceRunReport {
  runId: string;
  digest: string;
  kid: string | undefined;
  steps: StepReport[];
  rollback: RollbackReport | undefined;
  billing: FakeBilling;
}

/**
 * Runs the invoice-reconciliation scenario on the core alone. Deploy step: the manifest is signed
 * with a fresh Ed25519 key; start-up: it is verified against the trusted public keys (JWKS).
 */
export async function runInvoiceReconciliation(
  options: {
    sink?: AuditSink;
    auditPath?: string;
    telemetry?: TelemetryOptions;
    /**
     * A shared store (e.g. `new SqliteStore({ path })`): the run, its approvals and its compensation log
     * live there, where `orbit approvals` and `orbit console` see them.
     */
    store?: RunStore;
    /**
     * Who answers the pauses: the scripted reviewer (default), or a person answering in the store (needs
     * `store`; e.g. in `orbit console`): each paused call waits up to `approvalTimeoutMs` for the answer.
     */
    reviewer?: 'scripted' | 'person';
    approvalTimeoutMs?: number;
  } = {},
): Promise<InvoiceRunReport> {
  const loaded = await loadSignedManifest();
  const person = options.reviewer === 'person';
  if (person && !options.store) throw new Error('a person can answer only through a store: set ORBIT_STORE');

  const sink = options.sink ?? (options.auditPath ? new JsonlFileSink(options.auditPath) : undefined);
  const approvals = new Map<string, string>();
  const orbit = createOrbit({
    manifest: loaded,
    telemetry: options.telemetry,
    sink,
    ...(options.store ? { store: options.store } : {}),
    ...(options.approvalTimeoutMs ? { approvalTimeoutMs: options.approvalTimeoutMs } : {}),
    // A person answers in the store (no handler: the paused call waits for the answer there).
    ...(person
      ? {}
      : {
          approvalHandler: (request: ApprovalRequest) => {
            const answer = scriptedReviewer(request);
            approvals.set(
              request.call_id,
              `${answer.type === 'approve' ? 'approved' : 'denied'} by ${answer.approver}`,
            );
            return answer;
          },
        }),
  });
  const billing = new FakeBilling();
  const tools: Record<string, ToolDefinition> = Object.fromEntries(
    Object.values(createTools(billing)).map((tool) => [tool.name, tool]),
  );
  const run = orbit.startRun();
  const steps: StepReport[] = [];
  let rollback: RollbackReport | undefined;

  for (const step of INVOICE_STEPS) {
    const tool = tools[step.tool]!;
    try {
      const result = await run.execute(tool, { ...step.args, confidence: step.confidence });
      const approval =
        approvals.get(result.decision.call_id) ??
        (result.approval && options.store
          ? await answeredBy(options.store, run.id, result.approval)
          : undefined);
      steps.push({
        tool: step.tool,
        confidence: step.confidence,
        decision: result.decision,
        paused: result.approval !== undefined,
        status: result.status,
        ...(approval ? { approval } : {}),
      });
    } catch (error) {
      if (!(error instanceof RunHaltedError)) throw error;
      steps.push({
        tool: step.tool,
        confidence: step.confidence,
        decision: error.decision,
        paused: false,
        status: 'halted',
      });
      rollback = await run.rollback();
      break;
    }
  }
  await run.end();
  if (sink instanceof JsonlFileSink && !options.sink) sink.close();
  return { runId: run.id, digest: loaded.digest, kid: loaded.kid, steps, rollback, billing };
}

/** Who answered a paused call in the store, as the demo prints it (`approved by ana@finance`). */
async function answeredBy(
  store: RunStore,
  treeId: string,
  request: ApprovalRequest,
): Promise<string | undefined> {
  const stored = await store.getApproval(treeId, request.approval_id);
  const answer = stored?.answer;
  if (!answer) return stored?.status === 'timeout' ? 'nobody answered in time' : undefined;
  const verb =
    answer.type === 'deny' ? 'denied' : answer.type === 'edit' ? 'edited and approved' : 'approved';
  return `${verb} by ${answer.approver}`;
}
