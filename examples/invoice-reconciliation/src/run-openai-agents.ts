import { randomUUID } from 'node:crypto';
import { Agent, type Model, RunState, run, setTraceProcessors } from '@openai/agents';
import type { RollbackReport } from '@orbit-agents/core';
import { ScriptedAgentsModel } from '@orbit-agents/example-support/scripted-agents-model';
import {
  haltOf,
  type OrbitAnswer,
  orbitContext,
  orbitOpenAIAgents,
  type PendingApproval,
} from '@orbit-agents/openai-agents';
import { type FrameworkRunOptions, frameworkDeployment, frameworkReport } from './framework-run.js';
import type { InvoiceRunReport } from './run-core.js';
import { INVOICE_SCRIPT, INVOICE_SYSTEM_PROMPT, INVOICE_TASK, scriptedReviewer } from './scenario.js';

export interface OpenAIAgentsInvoiceRunReport extends InvoiceRunReport {
  /** The model that drove the agent: `scripted (offline)` or `openai:<model>`. */
  model: string;
  /** The conversation's thread (it is also the ORBIT run id). */
  threadId: string;
  /** How many times `run()` was called: the first call plus one resume per round of human answers. */
  invocations: number;
  /** The paused `RunState`s as the application saved them (`state.toString()`), one per round of answers. */
  saved: string[];
}

/** The offline model: one INVOICE_STEPS call per turn, with the step's confidence, ids `call-1`, `call-2`, … */
export function scriptedInvoiceAgentsModel(): ScriptedAgentsModel {
  return new ScriptedAgentsModel(INVOICE_SCRIPT.turns, INVOICE_SCRIPT.final);
}

/**
 * The model the demo runs with on the OpenAI Agents SDK: when `OPENAI_API_KEY` is set, a model name
 * (`OPENAI_MODEL`, default `gpt-4o-mini`) that the SDK's default OpenAI provider serves; the scripted
 * one otherwise.
 */
export function defaultInvoiceAgentsModel(): Model | string {
  if (process.env.OPENAI_API_KEY) return process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
  return scriptedInvoiceAgentsModel();
}

/** How the report names an OpenAI Agents model: `scripted (offline)`, or `openai:<model>`. */
export function describeAgentsModel(model: Model | string): string {
  if (model instanceof ScriptedAgentsModel) return 'scripted (offline)';
  return typeof model === 'string' ? `openai:${model}` : 'custom model';
}

/**
 * The scripted reviewer answers an interruption ORBIT raised: its approve/deny, bound to the action
 * hash of the call ORBIT paused, as `orbitAgents.answer()` takes it.
 *
 * @throws Error for an interruption ORBIT did not raise (this agent has no other approvals).
 */
export function reviewInterruption(pending: PendingApproval): OrbitAnswer {
  if (!pending.orbit) throw new Error(`Interruption "${pending.item.name}" was not raised by ORBIT.`);
  const { args, action_hash } = pending.orbit;
  return scriptedReviewer({ args, action_hash });
}

/** More resumes than a run can need: a model that keeps pausing is stopped, not followed forever. */
const MAX_INVOCATIONS = 50;
/** The SDK's turn limit of one `run()` call (a turn is one model response). */
const MAX_TURNS = 20;

/**
 * The invoice-reconciliation scenario on the OpenAI Agents SDK: `run()` on an agent guarded with
 * `orbitAgents.agent()`, the ORBIT tool definitions as SDK function tools (`orbitAgents.tool`). A pause
 * is the SDK's interruption: the application saves the paused `RunState` (`toString()`), restores it
 * (`RunState.fromString`) as it would in another request or process, the scripted reviewer answers
 * each interruption (`orbitAgents.pendingApprovals` + `orbitAgents.answer`), and `run(agent, state)`
 * resumes. The halt ends `run()` with the SDK's `ToolCallError` holding ORBIT's `RunHaltedError`
 * (`haltOf`), and the run is rolled back. Same manifest, same signing, same report as the core-only
 * reference (`runInvoiceReconciliation`).
 *
 * The SDK's own traces stay in the process: its trace processors are cleared (`setTraceProcessors([])`,
 * which drops the OpenAI exporter importing `@openai/agents` installs); ORBIT's spans go to `telemetry`.
 *
 * @throws Error when the model is still pausing after 50 resumes; any error but ORBIT's halt.
 */
export async function runInvoiceReconciliationOnOpenAIAgents(
  options: FrameworkRunOptions & {
    /** The model; default: `defaultInvoiceAgentsModel()` (scripted unless `OPENAI_API_KEY` is set). */
    model?: Model | string;
  } = {},
): Promise<OpenAIAgentsInvoiceRunReport> {
  setTraceProcessors([]);
  const deployment = await frameworkDeployment(options);
  const orbitAgents = orbitOpenAIAgents(deployment.orbit);
  const { definitions } = deployment;
  const model = options.model ?? defaultInvoiceAgentsModel();
  const agent = orbitAgents.agent(
    new Agent({
      name: 'invoice-reconciliation',
      instructions: INVOICE_SYSTEM_PROMPT,
      model,
      tools: [
        orbitAgents.tool(definitions.searchCrmAccounts),
        orbitAgents.tool(definitions.updateInvoiceStatus),
        orbitAgents.tool(definitions.flagForHumanReview),
        orbitAgents.tool(definitions.mergeCrmAccounts),
      ],
    }),
  );

  // One thread, one ORBIT run: its budgets and pending approvals carry over every resume. The context
  // holds the thread id only (no token), so the saved state is safe to store.
  const threadId = randomUUID();
  const saved: string[] = [];
  let rollback: RollbackReport | undefined;
  let invocations = 0;
  try {
    invocations++;
    const context = orbitContext(threadId);
    let result = await run(agent, INVOICE_TASK, { context, maxTurns: MAX_TURNS });
    while (result.interruptions.length > 0) {
      if (invocations >= MAX_INVOCATIONS) throw new Error(`Still pausing after ${invocations} invocations.`);
      // The application stores the paused run and answers later, perhaps in another process.
      saved.push(result.state.toString());
      const state = await RunState.fromString<typeof context, typeof agent>(agent, saved.at(-1)!);
      for (const pending of await orbitAgents.pendingApprovals(state))
        await orbitAgents.answer(state, pending, reviewInterruption(pending));
      invocations++;
      result = await run(agent, state, { maxTurns: MAX_TURNS });
    }
  } catch (error) {
    // ORBIT halted the run (the account merge): nothing further runs; unwind what did.
    if (!haltOf(error)) throw error;
    rollback = await orbitAgents.runOf(threadId).rollback();
  }
  const runId = orbitAgents.runOf(threadId).id;
  await orbitAgents.endRun(threadId);
  return {
    ...frameworkReport(deployment, runId, rollback),
    model: describeAgentsModel(model),
    threadId,
    invocations,
    saved,
  };
}
