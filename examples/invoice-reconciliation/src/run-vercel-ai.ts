import { randomUUID } from 'node:crypto';
import { openai } from '@ai-sdk/openai';
import type { RollbackReport } from '@orbit-agents/core';
import { ScriptedAiModel } from '@orbit-agents/example-support/scripted-ai-model';
import {
  approvalResponse,
  haltOf,
  type OrbitApprovalResponse,
  orbitVercelAi,
  type PendingApproval,
} from '@orbit-agents/vercel-ai';
import { generateText, isStepCount, type LanguageModel, type ModelMessage } from 'ai';
import { type FrameworkRunOptions, frameworkDeployment, frameworkReport } from './framework-run.js';
import type { InvoiceRunReport } from './run-core.js';
import { INVOICE_SCRIPT, INVOICE_SYSTEM_PROMPT, INVOICE_TASK, scriptedReviewer } from './scenario.js';

export interface VercelAiInvoiceRunReport extends InvoiceRunReport {
  /** The model that drove the agent: `scripted (offline)` or `openai:<model>`. */
  model: string;
  /** The conversation's thread (it is also the ORBIT run id). */
  threadId: string;
  /** How many times `generateText` was called: the first call plus one per round of human answers. */
  invocations: number;
}

/** The offline model: one INVOICE_STEPS call per turn, with the step's confidence, ids `call-1`, `call-2`, … */
export function scriptedInvoiceAiModel(): ScriptedAiModel {
  return new ScriptedAiModel(INVOICE_SCRIPT.turns, INVOICE_SCRIPT.final);
}

/** The model the demo runs with on the AI SDK: a real one when `OPENAI_API_KEY` is set, the scripted one otherwise. */
export function defaultInvoiceAiModel(): LanguageModel {
  if (process.env.OPENAI_API_KEY) return openai(process.env.OPENAI_MODEL ?? 'gpt-4o-mini');
  return scriptedInvoiceAiModel();
}

/** How the report names an AI SDK model: `scripted (offline)`, or `<provider>:<model id>`. */
export function describeAiModel(model: LanguageModel): string {
  if (model instanceof ScriptedAiModel) return 'scripted (offline)';
  if (typeof model === 'string') return model;
  // Providers name themselves by API (`openai.responses`); the report names the vendor.
  return `${model.provider.split('.')[0]}:${model.modelId}`;
}

/**
 * The scripted reviewer answers an AI SDK approval request: its approve/deny becomes the SDK's
 * `tool-approval-response`, bound to the action hash of the call ORBIT paused.
 */
export function reviewApproval(pending: PendingApproval): OrbitApprovalResponse {
  const { args, action_hash } = pending.orbit;
  const answer = scriptedReviewer({ args, action_hash });
  const said = answer.comment === undefined ? {} : { reason: answer.comment };
  return approvalResponse(
    pending,
    answer.type === 'approve'
      ? { type: 'approve', approver: answer.approver, ...said }
      : { type: 'deny', approver: answer.approver, ...said },
  );
}

/** More calls than a run can need: a model that keeps pausing is stopped, not followed forever. */
const MAX_INVOCATIONS = 50;

/**
 * The invoice-reconciliation scenario on the Vercel AI SDK: `generateText` with ORBIT's settings
 * (`orbitAi.settings`), the ORBIT tool definitions as SDK tools (`orbitAi.tool`). A pause is the SDK's
 * tool approval request: the scripted reviewer answers each (`orbitAi.pendingApprovals` +
 * `approvalResponse`), and the conversation goes on the SDK's way, with the answers in a tool message
 * and `generateText` called again on the whole conversation. The halt rejects `generateText` with
 * ORBIT's `RunHaltedError`, and the run is rolled back. Same manifest, same signing, same report as
 * the core-only reference (`runInvoiceReconciliation`).
 *
 * @throws Error when the model is still pausing after 50 calls; any error but ORBIT's halt.
 */
export async function runInvoiceReconciliationOnVercelAi(
  options: FrameworkRunOptions & {
    /** The language model; default: `defaultInvoiceAiModel()` (scripted unless `OPENAI_API_KEY` is set). */
    model?: LanguageModel;
  } = {},
): Promise<VercelAiInvoiceRunReport> {
  const deployment = await frameworkDeployment(options);
  const orbitAi = orbitVercelAi(deployment.orbit);
  const { definitions } = deployment;
  const tools = {
    search_crm_accounts: orbitAi.tool(definitions.searchCrmAccounts),
    update_invoice_status: orbitAi.tool(definitions.updateInvoiceStatus),
    flag_for_human_review: orbitAi.tool(definitions.flagForHumanReview),
    merge_crm_accounts: orbitAi.tool(definitions.mergeCrmAccounts),
  };
  const model = options.model ?? defaultInvoiceAiModel();

  // One thread, one ORBIT run: its budgets and pending approvals carry over every call.
  const threadId = randomUUID();
  let messages: ModelMessage[] = [{ role: 'user', content: INVOICE_TASK }];
  let rollback: RollbackReport | undefined;
  let invocations = 0;
  try {
    for (;;) {
      if (invocations >= MAX_INVOCATIONS) throw new Error(`Still pausing after ${invocations} invocations.`);
      invocations++;
      const result = await generateText({
        ...orbitAi.settings({ threadId, model, tools, messages }),
        instructions: INVOICE_SYSTEM_PROMPT,
        stopWhen: isStepCount(20),
      });
      messages = [...messages, ...result.responseMessages];
      const pending = await orbitAi.pendingApprovals({ threadId, messages, tools });
      if (pending.length === 0) break;
      messages = [...messages, { role: 'tool', content: pending.map(reviewApproval) }];
    }
  } catch (error) {
    // ORBIT halted the run (the account merge): nothing further runs; unwind what did.
    if (!haltOf(error)) throw error;
    rollback = await orbitAi.runOf(threadId).rollback();
  }
  const runId = orbitAi.runOf(threadId).id;
  await orbitAi.endRun(threadId);
  return {
    ...frameworkReport(deployment, runId, rollback),
    model: describeAiModel(model),
    threadId,
    invocations,
  };
}
