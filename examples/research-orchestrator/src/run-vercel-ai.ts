import { randomUUID } from 'node:crypto';
import { openai } from '@ai-sdk/openai';
import { ScriptedAiModel } from '@orbit-agents/example-support/scripted-ai-model';
import {
  approvalResponse,
  haltOf,
  type OrbitAnswer,
  orbitVercelAi,
  type PendingApproval,
} from '@orbit-agents/vercel-ai';
import { generateText, isStepCount, type LanguageModel, type ModelMessage } from 'ai';
import { type FrameworkRunOptions, frameworkDeployment, frameworkReport } from './framework-run.js';
import type { OrchestratorReport } from './run-core.js';
import { AGENT_PROMPTS, ORCHESTRATOR_SCRIPT, ORCHESTRATOR_TASK, type OrchestratorAgent } from './scenario.js';

/** The language model of each agent of the scenario. */
export type OrchestratorAiModels = Record<OrchestratorAgent, LanguageModel>;

/** The scripted models: the same steps as the core-only reference (`ORCHESTRATOR_SCRIPT`), each agent's from its own model. */
export function scriptedAiModels(): Record<OrchestratorAgent, ScriptedAiModel> {
  const model = (agent: OrchestratorAgent) =>
    new ScriptedAiModel(ORCHESTRATOR_SCRIPT[agent].turns, ORCHESTRATOR_SCRIPT[agent].final, agent);
  return {
    researcher: model('researcher'),
    dataEntry: model('dataEntry'),
    helper: model('helper'),
    orchestrator: model('orchestrator'),
  };
}

/**
 * The models the demo runs with on the AI SDK: real ones (`OPENAI_MODEL`, default `gpt-4o-mini`) when
 * `OPENAI_API_KEY` is set, the scripted ones otherwise. A real model chooses its own steps: ORBIT's
 * decisions then follow from what it does, not from the scripted reference.
 */
export function defaultAiModels(): OrchestratorAiModels {
  if (!process.env.OPENAI_API_KEY) return scriptedAiModels();
  const model = () => openai(process.env.OPENAI_MODEL ?? 'gpt-4o-mini');
  return { researcher: model(), dataEntry: model(), helper: model(), orchestrator: model() };
}

/** What a sub-agent tool told the orchestrator's model: its output, ORBIT's refusal, or the error it ended with. */
export interface ToldResult {
  tool: string;
  status: 'success' | 'denied' | 'error';
  content: string;
}

export interface VercelAiOrchestratorReport extends OrchestratorReport {
  /** The orchestrator's conversation thread (it is also its ORBIT run id). */
  threadId: string;
  /** What each sub-agent tool told the orchestrator's model, in order (the tool results it read). */
  told: ToldResult[];
  /** How many times the orchestrator's `generateText` was called: the first call plus one per round of answers. */
  invocations: number;
}

/** Nobody is on duty in the demo: each pause is denied, the model is told, and the run goes on. */
export const NOBODY_ON_DUTY: OrbitAnswer = {
  type: 'deny',
  approver: 'demo (no human on duty)',
  reason: 'No human is on duty in this demo; flag it instead.',
};

/** More calls than the scenario can need: a model that keeps pausing is stopped, not followed forever. */
const MAX_INVOCATIONS = 20;

/**
 * The research-orchestrator scenario on the Vercel AI SDK. The orchestrator is a `generateText` call
 * whose tools are sub-agents (`orbitAi.subAgent`): each call delegates, ORBIT mints a token scoped to
 * a manifest profile, and a `ToolLoopAgent` made with `orbitAi.agent` runs under it. Each oversteps and
 * is stopped, as in the core-only reference. A sub-agent's approval request surfaces on the
 * orchestrator's delegating call (`pendingApprovals` shows depth 1); `review` answers it, and the
 * answer resumes the sub-agent. The scripted scenario never pauses.
 *
 * Where the AI SDK shape differs from the reference (as on LangGraph):
 * - The data-entry agent's own delegation is a sub-agent tool of that agent (`delegate_to_helper`),
 *   decided inside the sub-agent's run: refused with the same decision, but the call id ORBIT gives
 *   the spawn is `spawn-1` of the data-entry run (the reference's is `spawn-5`: its tool calls take
 *   the run's sequence numbers, here they carry the model's call ids).
 * - The third sub-agent is a second call of the `research` tool, so the refused spawn names the
 *   profile's agent id `researcher` (the reference asks for `researcher-2`).
 * - A sub-agent's run ends when its delegating call is done (here, halted: `failure`), not with the
 *   orchestrator's run.
 *
 * @throws Error when the orchestrator is still pausing after 20 calls; any error but ORBIT's halt.
 */
export async function runResearchOrchestratorOnVercelAi(
  options: FrameworkRunOptions & {
    /** Default: `defaultAiModels()` (scripted unless `OPENAI_API_KEY` is set). */
    models?: OrchestratorAiModels;
    /** Answers a pause (a sub-agent's surfaces here too). Default: `NOBODY_ON_DUTY`. */
    review?: (pending: PendingApproval) => OrbitAnswer;
  } = {},
): Promise<VercelAiOrchestratorReport> {
  const deployment = await frameworkDeployment(options);
  const { tools } = deployment;
  const orbitAi = orbitVercelAi(deployment.orbit);
  // The ORBIT tool definitions as SDK tools (the model's schema gains `confidence`).
  const sdk = {
    web_search: orbitAi.tool(tools.webSearch),
    read_document: orbitAi.tool(tools.readDocument),
    flag_for_human_review: orbitAi.tool(tools.flagForHumanReview),
    update_crm_record: orbitAi.tool(tools.updateCrmRecord),
    send_external_email: orbitAi.tool(tools.sendExternalEmail),
  };
  const models = options.models ?? defaultAiModels();
  const review = options.review ?? (() => NOBODY_ON_DUTY);
  const stopWhen = isStepCount(20);

  // The sub-agents: ToolLoopAgents under ORBIT. Which tools they may use is their token's business.
  const researcher = orbitAi.agent({
    model: models.researcher,
    instructions: AGENT_PROMPTS.researcher,
    tools: {
      web_search: sdk.web_search,
      read_document: sdk.read_document,
      flag_for_human_review: sdk.flag_for_human_review,
      send_external_email: sdk.send_external_email,
    },
    stopWhen,
  });
  const helper = orbitAi.agent({
    model: models.helper,
    instructions: AGENT_PROMPTS.helper,
    tools: { update_crm_record: sdk.update_crm_record },
    stopWhen,
  });
  const dataEntry = orbitAi.agent({
    model: models.dataEntry,
    instructions: AGENT_PROMPTS.dataEntry,
    tools: {
      update_crm_record: sdk.update_crm_record,
      delegate_to_helper: orbitAi.subAgent(helper, {
        profile: 'data-entry',
        agentId: 'helper',
        description: 'Hand part of the data entry to a helper agent.',
      }),
    },
    stopWhen,
  });

  // The orchestrator's tools are its sub-agents.
  const orchestratorTools = {
    research: orbitAi.subAgent(researcher, {
      profile: 'researcher',
      agentId: 'researcher',
      description: 'Delegate web research to a researcher agent.',
    }),
    // A narrower ask than the profile is fine; this one asks for a tool the orchestrator lacks.
    pay_rival_invoice: orbitAi.subAgent(dataEntry, {
      profile: 'data-entry',
      agentId: 'payments',
      description: 'Delegate a payment to a data-entry agent allowed to trigger payments.',
      request: () => ({
        tools: [
          { name: 'update_crm_record', max_calls_per_run: 1 },
          { name: 'trigger_payment', max_calls_per_run: 1 },
        ],
      }),
    }),
    enter_data: orbitAi.subAgent(dataEntry, {
      profile: 'data-entry',
      agentId: 'data-entry',
      description: 'Delegate CRM contact updates to a data-entry agent.',
    }),
  };

  const threadId = randomUUID();
  let messages: ModelMessage[] = [{ role: 'user', content: ORCHESTRATOR_TASK }];
  // What the orchestrator's model was last given to read (ORBIT's refusals in place of the SDK's).
  let read: ModelMessage[] = messages;
  let invocations = 0;
  try {
    for (;;) {
      if (invocations >= MAX_INVOCATIONS) throw new Error(`Still pausing after ${invocations} invocations.`);
      invocations++;
      const result = await generateText({
        ...orbitAi.settings({
          threadId,
          model: models.orchestrator,
          tools: orchestratorTools,
          messages,
          prepareStep: ({ messages: given }) => {
            read = given;
            return undefined;
          },
        }),
        instructions: AGENT_PROMPTS.orchestrator,
        stopWhen,
      });
      messages = [...messages, ...result.responseMessages];
      const pending = await orbitAi.pendingApprovals({ threadId, messages, tools: orchestratorTools });
      if (pending.length === 0) break;
      const answers = pending.map((request) => approvalResponse(request, review(request)));
      messages = [...messages, { role: 'tool', content: answers }];
    }
  } catch (error) {
    // ORBIT halted the orchestrator's own run (its third sub-agent): the call ends here.
    if (!haltOf(error)) throw error;
  }
  const root = orbitAi.runOf(threadId);
  await orbitAi.endRun(threadId);
  return { ...frameworkReport(deployment, root), threadId, told: toldIn(read), invocations };
}

/** The tool results among the messages a model read, in order. */
function toldIn(messages: readonly ModelMessage[]): ToldResult[] {
  const told: ToldResult[] = [];
  for (const message of messages) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-result') continue;
      const { output } = part;
      if (output.type === 'execution-denied') {
        told.push({ tool: part.toolName, status: 'denied', content: output.reason ?? '' });
      } else if (output.type === 'error-text' || output.type === 'error-json') {
        const { value } = output;
        told.push({
          tool: part.toolName,
          status: 'error',
          content: typeof value === 'string' ? value : JSON.stringify(value),
        });
      } else {
        const value = 'value' in output ? output.value : output;
        told.push({
          tool: part.toolName,
          status: 'success',
          content: typeof value === 'string' ? value : JSON.stringify(value),
        });
      }
    }
  }
  return told;
}
