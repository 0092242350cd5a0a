import { randomUUID } from 'node:crypto';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { MemorySaver } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import {
  type AuditSink,
  createOrbit,
  JsonlFileSink,
  type RollbackReport,
  type TelemetryOptions,
  type ToolDefinition,
} from '@orbit-agents/core';
import { ScriptedChatModel } from '@orbit-agents/example-support/scripted-model';
import {
  haltOf,
  type OrbitHITLDecision,
  type OrbitInterruptValue,
  orbitLangGraph,
  pendingApprovals,
  resumeWith,
} from '@orbit-agents/langgraph';
import { createAgent } from 'langchain';
import { StepRecorder } from './audit-steps.js';
import { loadSignedManifest } from './manifest.js';
import type { InvoiceRunReport } from './run-core.js';
import { INVOICE_STEPS, INVOICE_SYSTEM_PROMPT, INVOICE_TASK, scriptedReviewer } from './scenario.js';
import { createTools, FakeBilling } from './tools.js';

export interface LangGraphInvoiceRunReport extends InvoiceRunReport {
  /** The model that drove the agent: `scripted (offline)` or `openai:<model>`. */
  model: string;
  /** The LangGraph thread (it is also the ORBIT run id). */
  threadId: string;
  /** How many times the graph was invoked: the first invoke plus one resume per human answer. */
  invocations: number;
}

/** The offline model: one INVOICE_STEPS call per turn, with the step's confidence, ids `call-1`, `call-2`, … */
export function scriptedInvoiceModel(): ScriptedChatModel {
  return new ScriptedChatModel(
    INVOICE_STEPS.map((step, index) => [
      { name: step.tool, args: { ...step.args, confidence: step.confidence }, id: `call-${index + 1}` },
    ]),
    'Reconciliation finished.',
  );
}

/** The model the demo runs with: a real one when `OPENAI_API_KEY` is set, the scripted one otherwise. */
export function defaultInvoiceModel(): BaseChatModel {
  if (process.env.OPENAI_API_KEY) return new ChatOpenAI({ model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini' });
  return scriptedInvoiceModel();
}

/** How the report names a model. */
export function describeModel(model: BaseChatModel): string {
  if (model instanceof ScriptedChatModel) return 'scripted (offline)';
  if (model instanceof ChatOpenAI) return `openai:${model.model}`;
  return model._llmType();
}

/**
 * The scripted reviewer answers a LangGraph interrupt: its approve/deny becomes a human-in-the-loop
 * decision, bound to the paused call by the action hash ORBIT put in the interrupt.
 */
export function reviewInterrupt(pending: { value: OrbitInterruptValue }): OrbitHITLDecision {
  const { orbit, actionRequests } = pending.value;
  const answer = scriptedReviewer({ args: actionRequests[0]?.args, action_hash: orbit.action_hash });
  if (answer.type === 'approve') {
    return {
      type: 'approve',
      approver: answer.approver,
      action_hash: answer.action_hash,
      ...(answer.comment === undefined ? {} : { comment: answer.comment }),
    };
  }
  return {
    type: 'reject',
    approver: answer.approver,
    action_hash: answer.action_hash,
    ...(answer.comment === undefined ? {} : { message: answer.comment }),
  };
}

/** More resumes than a run can need: a model that keeps pausing is stopped, not followed forever. */
const MAX_INVOCATIONS = 50;

/**
 * The invoice-reconciliation scenario on LangChain `createAgent` + LangGraph: the ORBIT tool
 * definitions become guarded LangChain tools (`orbitLg.tool`), the ORBIT middleware passes their halts
 * through and counts the model's token usage, pauses come back as `__interrupt__` and are answered by
 * the scripted reviewer, and the halt ends the invoke. Same manifest, same signing, same report as the
 * core-only reference (`runInvoiceReconciliation`).
 */
export async function runInvoiceReconciliationOnLangGraph(
  options: {
    sink?: AuditSink;
    auditPath?: string;
    telemetry?: TelemetryOptions;
    /** The chat model; default: `defaultInvoiceModel()` (scripted unless `OPENAI_API_KEY` is set). */
    model?: BaseChatModel;
  } = {},
): Promise<LangGraphInvoiceRunReport> {
  const loaded = await loadSignedManifest();
  const file = !options.sink && options.auditPath ? new JsonlFileSink(options.auditPath) : undefined;
  const recorder = new StepRecorder(options.sink ?? file);
  const orbit = createOrbit({ manifest: loaded, telemetry: options.telemetry, sink: recorder });
  const orbitLg = orbitLangGraph(orbit);

  const billing = new FakeBilling();
  const definitions = Object.values(createTools(billing)) as ToolDefinition[];
  const model = options.model ?? defaultInvoiceModel();
  const agent = createAgent({
    model,
    tools: definitions.map((definition) => orbitLg.tool(definition)),
    systemPrompt: INVOICE_SYSTEM_PROMPT,
    middleware: [orbitLg.middleware()],
    checkpointer: new MemorySaver(),
  });

  // One thread, one ORBIT run: its budgets and pending approvals carry over every resume.
  const threadId = randomUUID();
  const config = { configurable: { thread_id: threadId } };
  let rollback: RollbackReport | undefined;
  let invocations = 0;
  try {
    let result = await agent.invoke({ messages: [{ role: 'user', content: INVOICE_TASK }] }, config);
    invocations++;
    while (pendingApprovals(result).length > 0) {
      if (invocations >= MAX_INVOCATIONS) throw new Error(`Still pausing after ${invocations} invocations.`);
      result = await agent.invoke(resumeWith(result, reviewInterrupt), config);
      invocations++;
    }
  } catch (error) {
    // ORBIT halted the run (the account merge): nothing further runs; unwind what did.
    if (!haltOf(error)) throw error;
    invocations++;
    rollback = await orbitLg.runOf(config).rollback();
  }
  const run = orbitLg.runOf(config);
  await run.end();
  file?.close();
  return {
    runId: run.id,
    digest: loaded.digest,
    kid: loaded.kid,
    steps: recorder.steps(),
    rollback,
    billing,
    model: describeModel(model),
    threadId,
    invocations,
  };
}
