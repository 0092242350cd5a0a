import { randomUUID } from 'node:crypto';
import {
  Agent,
  type AgentInputItem,
  AgentsError,
  type Model,
  RunState,
  run,
  setTraceProcessors,
} from '@openai/agents';
import { type RunHaltedError, toRefusal } from '@orbit-agents/core';
import { ScriptedAgentsModel } from '@orbit-agents/example-support/scripted-agents-model';
import {
  haltOf,
  type OrbitAnswer,
  orbitContext,
  orbitOpenAIAgents,
  type PendingApproval,
} from '@orbit-agents/openai-agents';
import { z } from 'zod';
import { type FrameworkRunOptions, frameworkDeployment, frameworkReport } from './framework-run.js';
import type { OrchestratorReport } from './run-core.js';
import { AGENT_PROMPTS, ORCHESTRATOR_SCRIPT, ORCHESTRATOR_TASK, type OrchestratorAgent } from './scenario.js';

/** The model of each agent of the scenario: a `Model`, or a model name the SDK's default provider serves. */
export type OrchestratorAgentsModels = Record<OrchestratorAgent, Model | string>;

/** The scripted models: the same steps as the core-only reference (`ORCHESTRATOR_SCRIPT`), each agent's from its own model. */
export function scriptedAgentsModels(): Record<OrchestratorAgent, ScriptedAgentsModel> {
  const model = (agent: OrchestratorAgent) =>
    new ScriptedAgentsModel(ORCHESTRATOR_SCRIPT[agent].turns, ORCHESTRATOR_SCRIPT[agent].final, agent);
  return {
    researcher: model('researcher'),
    dataEntry: model('dataEntry'),
    helper: model('helper'),
    orchestrator: model('orchestrator'),
  };
}

/**
 * The models the demo runs with on the OpenAI Agents SDK: when `OPENAI_API_KEY` is set, a model name
 * (`OPENAI_MODEL`, default `gpt-4o-mini`) for the SDK's default OpenAI provider; the scripted ones
 * otherwise. A real model chooses its own steps: ORBIT's decisions then follow from what it does.
 */
export function defaultAgentsModels(): OrchestratorAgentsModels {
  if (!process.env.OPENAI_API_KEY) return scriptedAgentsModels();
  const model = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
  return { researcher: model, dataEntry: model, helper: model, orchestrator: model };
}

/** What the orchestrator's model was told of a delegation: the tool's output, or ORBIT's refusal. */
export interface AgentsToldResult {
  /** The delegating tool or handoff (`research`, `pay_rival_invoice`, `enter_data`). */
  tool: string;
  status: 'output' | 'refusal';
  content: string;
}

export interface OpenAIAgentsOrchestratorReport extends OrchestratorReport {
  /** The orchestrator's thread (it is also its ORBIT run id). */
  threadId: string;
  /** What the orchestrator's model was told of its delegations, in order. */
  told: AgentsToldResult[];
  /** How many times `run()` was called: the first call, one per round of answers, one per hand-back. */
  invocations: number;
  /** The paused `RunState`s as the application saved them (`state.toString()`). */
  saved: string[];
}

/** Nobody is on duty in the demo: each pause is denied, the model is told, and the run goes on. */
export const AGENTS_NOBODY_ON_DUTY: OrbitAnswer = {
  type: 'deny',
  approver: 'demo (no human on duty)',
  comment: 'No human is on duty in this demo; flag it instead.',
};

/** The handoff's tool name: the scenario's `enter_data` (the SDK's default would be `transfer_to_data-entry`). */
export const HANDOFF_TOOL = 'enter_data';
/** The orchestrator's delegating tools and handoff, by name. */
const DELEGATIONS = new Set(['research', 'pay_rival_invoice', HANDOFF_TOOL]);

/** More calls than the scenario can need: a model that keeps pausing is stopped, not followed forever. */
const MAX_INVOCATIONS = 20;
/** The SDK's turn limit of one `run()` call. */
const MAX_TURNS = 20;

const task = z.object({ task: z.string().describe('What the sub-agent should do, in one sentence.') });
const asTask = {
  parameters: task,
  inputBuilder: ({ params }: { params: unknown }) => (params as z.infer<typeof task>).task,
};

/**
 * The research-orchestrator scenario on the OpenAI Agents SDK, delegating both of the SDK's ways:
 * - agents as tools (`orbitAgents.subAgent`): `research` and `pay_rival_invoice` run the researcher and a
 *   data-entry agent inside the orchestrator's turn; each call delegates (ORBIT mints a token scoped to
 *   a manifest profile) and a halt inside it is told to the orchestrator as ORBIT's refusal;
 * - a handoff (`orbitAgents.handoff`): `enter_data` hands the conversation to the data-entry agent, which
 *   acts under a token minted for it from then on (the context names its run, never a token).
 *
 * A handoff gives the conversation away: when the agent it went to is done, or ORBIT halts it (the SDK's
 * `run()` then rejects with `ToolCallError`), the application gives the conversation back to the
 * orchestrator (`run(orchestrator, history)`, with ORBIT's refusal as a system message), which goes on
 * with its plan. A pause anywhere (in the orchestrator, inside an agent-as-tool, in the handed-off agent)
 * is an interruption of the top-level `run()`: the paused `RunState` is saved (`toString()`) and
 * restored (`RunState.fromString`), `review` answers it, and `run(orchestrator, state)` resumes.
 *
 * Where the shape differs from the reference (as on LangGraph and the AI SDK): the data-entry agent's own
 * delegation is a sub-agent tool of that agent (`delegate_to_helper`; its spawn is `spawn-1` of the
 * data-entry run, the reference's `spawn-5`), and the third sub-agent is a second call of `research`
 * (agent id `researcher`, the reference's `researcher-2`). The handed-off agent's run ends with the
 * orchestrator's, as in the reference.
 *
 * The SDK's own traces stay in the process (`setTraceProcessors([])`); ORBIT's spans go to `telemetry`.
 *
 * @throws Error when the orchestrator is still going after 20 calls of `run()`; any error but ORBIT's halt.
 */
export async function runResearchOrchestratorOnOpenAIAgents(
  options: FrameworkRunOptions & {
    /** Default: `defaultAgentsModels()` (scripted unless `OPENAI_API_KEY` is set). */
    models?: OrchestratorAgentsModels;
    /** Answers a pause (a sub-agent's surfaces here too). Default: `AGENTS_NOBODY_ON_DUTY`. */
    review?: (pending: PendingApproval) => OrbitAnswer;
  } = {},
): Promise<OpenAIAgentsOrchestratorReport> {
  setTraceProcessors([]);
  const deployment = await frameworkDeployment(options);
  const { tools } = deployment;
  const orbitAgents = orbitOpenAIAgents(deployment.orbit);
  // The ORBIT tool definitions as SDK function tools (the model's schema gains `confidence`).
  const sdk = {
    webSearch: orbitAgents.tool(tools.webSearch),
    readDocument: orbitAgents.tool(tools.readDocument),
    flagForHumanReview: orbitAgents.tool(tools.flagForHumanReview),
    updateCrmRecord: orbitAgents.tool(tools.updateCrmRecord),
    sendExternalEmail: orbitAgents.tool(tools.sendExternalEmail),
  };
  const models = options.models ?? defaultAgentsModels();
  const review = options.review ?? (() => AGENTS_NOBODY_ON_DUTY);

  // The sub-agents: plain SDK agents. Which tools they may use is their token's business.
  const researcher = new Agent({
    name: 'researcher',
    instructions: AGENT_PROMPTS.researcher,
    model: models.researcher,
    tools: [sdk.webSearch, sdk.readDocument, sdk.flagForHumanReview, sdk.sendExternalEmail],
  });
  const helper = new Agent({
    name: 'helper',
    instructions: AGENT_PROMPTS.helper,
    model: models.helper,
    tools: [sdk.updateCrmRecord],
  });
  const dataEntry = new Agent({
    name: 'data-entry',
    instructions: AGENT_PROMPTS.dataEntry,
    model: models.dataEntry,
    tools: [
      sdk.updateCrmRecord,
      orbitAgents.subAgent(helper, {
        profile: 'data-entry',
        agentId: 'helper',
        toolName: 'delegate_to_helper',
        toolDescription: 'Hand part of the data entry to a helper agent.',
        ...asTask,
      }),
    ],
  });

  // The orchestrator: two agents as tools, and a handoff.
  const orchestrator = orbitAgents.agent(
    new Agent({
      name: 'research-orchestrator',
      instructions: AGENT_PROMPTS.orchestrator,
      model: models.orchestrator,
      tools: [
        orbitAgents.subAgent(researcher, {
          profile: 'researcher',
          agentId: 'researcher',
          toolName: 'research',
          toolDescription: 'Delegate web research to a researcher agent.',
          ...asTask,
        }),
        // A narrower ask than the profile is fine; this one asks for a tool the orchestrator lacks.
        orbitAgents.subAgent(dataEntry, {
          profile: 'data-entry',
          agentId: 'payments',
          toolName: 'pay_rival_invoice',
          toolDescription: 'Delegate a payment to a data-entry agent allowed to trigger payments.',
          ...asTask,
          request: () => ({
            tools: [
              { name: 'update_crm_record', max_calls_per_run: 1 },
              { name: 'trigger_payment', max_calls_per_run: 1 },
            ],
          }),
        }),
      ],
      handoffs: [
        orbitAgents.handoff(dataEntry, {
          profile: 'data-entry',
          agentId: 'data-entry',
          toolNameOverride: HANDOFF_TOOL,
          toolDescriptionOverride: 'Hand the conversation to a data-entry agent that updates CRM contacts.',
          inputType: task,
        }),
      ],
    }),
  );

  const threadId = randomUUID();
  const root = orbitAgents.runOf(threadId);
  const saved: string[] = [];
  // The conversation as the orchestrator last had it.
  let conversation: AgentInputItem[] = [];
  type Input = string | AgentInputItem[] | RunState<unknown, typeof orchestrator>;
  // A restored state resumes where it paused; a new conversation, or one given back, starts from the
  // thread alone (no sub-agent's run in its context).
  const play = (input: Input) =>
    input instanceof RunState
      ? run(orchestrator, input, { maxTurns: MAX_TURNS })
      : run(orchestrator, input, { context: orbitContext(threadId), maxTurns: MAX_TURNS });
  let input: Input = ORCHESTRATOR_TASK;
  let invocations = 0;
  for (;;) {
    if (invocations >= MAX_INVOCATIONS) throw new Error(`Still going after ${invocations} invocations.`);
    invocations++;
    try {
      const result = await play(input);
      conversation = result.history;
      if (result.interruptions.length > 0) {
        // The application stores the paused run and answers later, perhaps in another process.
        saved.push(result.state.toString());
        const state = await RunState.fromString<unknown, typeof orchestrator>(orchestrator, saved.at(-1)!);
        for (const pending of await orbitAgents.pendingApprovals(state))
          await orbitAgents.answer(state, pending, review(pending));
        input = state;
        continue;
      }
      // Done, unless the conversation ended with the agent it was handed to: the orchestrator takes it back.
      if (result.lastAgent === orchestrator) break;
      input = result.history;
    } catch (error) {
      const halt = haltOf(error);
      if (!halt) throw error;
      if (error instanceof AgentsError && error.state) conversation = error.state.history;
      // ORBIT halted the orchestrator's own run (its third sub-agent): the conversation ends here.
      if (halt.decision.run_id === root.id) break;
      // ORBIT halted the agent the conversation was handed to: the orchestrator takes it back, told why.
      input = [...conversation, { role: 'system', content: haltNote(halt) }];
    }
  }
  await orbitAgents.endRun(threadId);
  return {
    ...frameworkReport(deployment, root),
    threadId,
    told: toldIn(conversation),
    invocations,
    saved,
  };
}

/** What the orchestrator is told of a halted agent it handed the conversation to: ORBIT's refusal, as JSON. */
function haltNote(halt: RunHaltedError): string {
  return JSON.stringify({
    ...toRefusal(halt.decision),
    message: `The agent the conversation was handed to was halted by ORBIT: ${halt.message}`,
  });
}

/**
 * The results of the orchestrator's delegations among the items of a conversation, in order; a system
 * message is the application's note on a halted handed-off agent (the only system messages it adds).
 */
function toldIn(items: readonly AgentInputItem[]): AgentsToldResult[] {
  const told: AgentsToldResult[] = [];
  for (const item of items) {
    if ('role' in item && item.role === 'system') {
      told.push({ tool: HANDOFF_TOOL, status: 'refusal', content: item.content });
      continue;
    }
    if (item.type !== 'function_call_result' || !DELEGATIONS.has(item.name)) continue;
    const output = item.output as { type?: string; text?: string } | string;
    const content = typeof output === 'string' ? output : (output.text ?? JSON.stringify(output));
    told.push({ tool: item.name, status: isRefusal(content) ? 'refusal' : 'output', content });
  }
  return told;
}

function isRefusal(content: string): boolean {
  try {
    return (JSON.parse(content) as { refused?: unknown }).refused === true;
  } catch {
    return false;
  }
}
