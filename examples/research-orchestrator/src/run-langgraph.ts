import { randomUUID } from 'node:crypto';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { ScriptedChatModel } from '@orbit-agents/example-support/scripted-model';
import { haltOf, orbitLangGraph, pendingApprovals, resumeWith } from '@orbit-agents/langgraph';
import { createAgent } from 'langchain';
import { z } from 'zod';
import { type FrameworkRunOptions, frameworkDeployment, frameworkReport } from './framework-run.js';
import type { OrchestratorReport } from './run-core.js';
import { AGENT_PROMPTS, ORCHESTRATOR_SCRIPT, ORCHESTRATOR_TASK, type OrchestratorAgent } from './scenario.js';

/** The scripted models: the same steps as the core-only reference (`ORCHESTRATOR_SCRIPT`), each agent's from its own model. */
export function scriptedModels() {
  const model = (agent: OrchestratorAgent) =>
    new ScriptedChatModel(ORCHESTRATOR_SCRIPT[agent].turns, ORCHESTRATOR_SCRIPT[agent].final);
  return {
    researcher: model('researcher'),
    dataEntry: model('dataEntry'),
    helper: model('helper'),
    orchestrator: model('orchestrator'),
  };
}

/** The chat model of each agent of the scenario. */
export type OrchestratorModels = Record<OrchestratorAgent, BaseChatModel>;

/**
 * The models the demo runs with: real ones (`OPENAI_MODEL`, default `gpt-4o-mini`) when `OPENAI_API_KEY`
 * is set, the scripted ones otherwise. A real model chooses its own steps: ORBIT's decisions then
 * follow from what it does, not from the scripted reference.
 */
export function defaultModels(): OrchestratorModels {
  if (!process.env.OPENAI_API_KEY) return scriptedModels();
  const model = () => new ChatOpenAI({ model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini' });
  return { researcher: model(), dataEntry: model(), helper: model(), orchestrator: model() };
}

/** More resumes than the scenario can need: a model that keeps pausing is stopped, not followed forever. */
const MAX_INVOCATIONS = 20;

export interface LangGraphOrchestratorReport extends OrchestratorReport {
  /** The orchestrator's LangGraph thread (it is also its ORBIT run id). */
  threadId: string;
  /** What each sub-agent tool told the orchestrator's model, in order (tool results). */
  told: { tool: string; status: string | undefined; content: string }[];
}

const task = z.object({ task: z.string().describe('What the sub-agent should do, in one sentence.') });
const asInput = ({ task }: { task: string }) => ({ messages: [{ role: 'user' as const, content: task }] });

/**
 * The research-orchestrator scenario on LangChain `createAgent` + LangGraph. The orchestrator is an
 * agent whose tools are sub-agents (`orbitLg.subAgent`): each call delegates, ORBIT mints a token
 * scoped to a manifest profile, and the child agent (no checkpointer of its own: it uses its parent's)
 * runs under it with the same middleware. Each oversteps and is stopped, as in the core-only reference.
 *
 * Where the LangGraph shape differs from the reference:
 * - The data-entry agent's own delegation is a sub-agent tool of that agent (`delegate_to_helper`),
 *   decided inside the sub-agent's run: refused with the same decision, but the call id ORBIT gives
 *   the spawn is `spawn-1` of the data-entry run (the reference's is `spawn-5`: its tool calls take
 *   the run's sequence numbers, here they carry the model's call ids).
 * - The third sub-agent is a second call of the `research` tool, so the refused spawn names the
 *   profile's agent id `researcher` (the reference asks for `researcher-2`).
 * - A sub-agent's run ends when its tool call returns (here, halted: `failure`), not with the
 *   orchestrator's run.
 */
export async function runResearchOrchestratorOnLangGraph(
  options: FrameworkRunOptions & {
    /** Default: `defaultModels()` (scripted unless `OPENAI_API_KEY` is set). */
    models?: OrchestratorModels;
  } = {},
): Promise<LangGraphOrchestratorReport> {
  const deployment = await frameworkDeployment(options);
  const { tools } = deployment;
  const orbitLg = orbitLangGraph(deployment.orbit);
  // The ORBIT tool definitions as guarded LangChain tools (the model's schema gains `confidence`).
  const lc = {
    webSearch: orbitLg.tool(tools.webSearch),
    readDocument: orbitLg.tool(tools.readDocument),
    flagForHumanReview: orbitLg.tool(tools.flagForHumanReview),
    updateCrmRecord: orbitLg.tool(tools.updateCrmRecord),
    sendExternalEmail: orbitLg.tool(tools.sendExternalEmail),
  };
  const models = options.models ?? defaultModels();
  const middleware = [orbitLg.middleware()];

  // The sub-agents: plain createAgent agents. Which tools they may use is their token's business.
  const researcher = createAgent({
    name: 'researcher',
    model: models.researcher,
    systemPrompt: AGENT_PROMPTS.researcher,
    tools: [lc.webSearch, lc.readDocument, lc.flagForHumanReview, lc.sendExternalEmail],
    middleware,
  });
  const helper = createAgent({
    name: 'helper',
    model: models.helper,
    systemPrompt: AGENT_PROMPTS.helper,
    tools: [lc.updateCrmRecord],
    middleware,
  });
  const dataEntry = createAgent({
    name: 'data-entry',
    model: models.dataEntry,
    systemPrompt: AGENT_PROMPTS.dataEntry,
    tools: [
      lc.updateCrmRecord,
      orbitLg.subAgent(helper, {
        profile: 'data-entry',
        agentId: 'helper',
        name: 'delegate_to_helper',
        description: 'Hand part of the data entry to a helper agent.',
        schema: task,
        input: asInput,
      }),
    ],
    middleware,
  });

  // The orchestrator: its tools are its sub-agents.
  const orchestrator = createAgent({
    name: 'research-orchestrator',
    model: models.orchestrator,
    systemPrompt: AGENT_PROMPTS.orchestrator,
    tools: [
      orbitLg.subAgent(researcher, {
        profile: 'researcher',
        agentId: 'researcher',
        name: 'research',
        description: 'Delegate web research to a researcher agent.',
        schema: task,
        input: asInput,
      }),
      // A narrower ask than the profile is fine; this one asks for a tool the orchestrator lacks.
      orbitLg.subAgent(dataEntry, {
        profile: 'data-entry',
        agentId: 'payments',
        name: 'pay_rival_invoice',
        description: 'Delegate a payment to a data-entry agent allowed to trigger payments.',
        schema: task,
        input: asInput,
        request: () => ({
          tools: [
            { name: 'update_crm_record', max_calls_per_run: 1 },
            { name: 'trigger_payment', max_calls_per_run: 1 },
          ],
        }),
      }),
      orbitLg.subAgent(dataEntry, {
        profile: 'data-entry',
        agentId: 'data-entry',
        name: 'enter_data',
        description: 'Delegate CRM contact updates to a data-entry agent.',
        schema: task,
        input: asInput,
      }),
    ],
    middleware,
    checkpointer: new MemorySaver(),
  });

  const threadId = randomUUID();
  const config = { configurable: { thread_id: threadId } };
  try {
    let result = await orchestrator.invoke(
      {
        messages: [{ role: 'user', content: ORCHESTRATOR_TASK }],
      },
      config,
    );
    // The scripted scenario never pauses. A real model may: nobody is on duty in the demo, so each
    // pause is rejected (the model is told), and the run goes on.
    for (let invocations = 1; pendingApprovals(result).length > 0; invocations++) {
      if (invocations >= MAX_INVOCATIONS) throw new Error(`Still pausing after ${invocations} invocations.`);
      result = await orchestrator.invoke(
        resumeWith(result, () => ({
          type: 'reject',
          approver: 'demo (no human on duty)',
          message: 'No human is on duty in this demo; flag it instead.',
        })),
        config,
      );
    }
  } catch (error) {
    // ORBIT halted the orchestrator's own run (its third sub-agent): the invoke ends here.
    if (!haltOf(error)) throw error;
  }
  const root = orbitLg.runOf(config);
  await root.end();
  const report = frameworkReport(deployment, root);

  // What the orchestrator's model was told by its sub-agent tools (the thread's checkpointed messages).
  const state = await orchestrator.graph.getState(config);
  const messages = ((state.values as { messages?: BaseMessage[] }).messages ?? []).filter(
    (message) => message.getType() === 'tool',
  );
  const told = messages.map((message) => ({
    tool: String(message.name),
    status: (message as { status?: string }).status,
    content: typeof message.content === 'string' ? message.content : JSON.stringify(message.content),
  }));

  return { ...report, threadId, told };
}
