import { randomUUID } from 'node:crypto';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { MemorySaver } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import type { RollbackReport, ToolDefinition } from '@orbit-agents/core';
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
import { type FrameworkRunOptions, frameworkDeployment, frameworkReport } from './framework-run.js';
import type { InvoiceRunReport } from './run-core.js';
import { INVOICE_SCRIPT, INVOICE_SYSTEM_PROMPT, INVOICE_TASK, scriptedReviewer } from './scenario.js';

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
  return new ScriptedChatModel(INVOICE_SCRIPT.turns, INVOICE_SCRIPT.final);
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
  options: FrameworkRunOptions & {
    /** The chat model; default: `defaultInvoiceModel()` (scripted unless `OPENAI_API_KEY` is set). */
    model?: BaseChatModel;
  } = {},
): Promise<LangGraphInvoiceRunReport> {
  const deployment = await frameworkDeployment(options);
  const orbitLg = orbitLangGraph(deployment.orbit);
  const definitions = Object.values(deployment.definitions) as ToolDefinition[];
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
  return {
    ...frameworkReport(deployment, run.id, rollback),
    model: describeModel(model),
    threadId,
    invocations,
  };
}
