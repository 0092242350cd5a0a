// Test support for the OpenAI Agents adapter: a deployment of the conformance suite's manifest, SDK
// tools that record their runs, and a small driver of one thread the SDK's way (run, toString,
// fromString, answer, run again).

import { Agent, type FunctionTool, RunState, run, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { type OrbitAgents, orbitContext } from '../src/index.js';
import type { AnyAgent, AnyRunResult } from '../src/sdk-types.js';
import { ScriptedAgentsModel, type ScriptedCall } from './scripted-model.js';

// Nothing leaves the process: importing @openai/agents installs OpenAI's trace exporter.
setTracingDisabled(true);

// The deployment of the conformance manifest (with overrides), the token budget override, a call's
// decision event and a scripted call: the core's conformance support, framework-neutral.
export {
  budget,
  decisionOf,
  deploymentOf as deploy,
  scriptedCall as call,
} from '../../core/test/adapter-conformance-support.js';

/** SDK tool options of the manifest's names, each recording its runs (`name:id`). */
export function sdkToolOptions(ran: string[] = []) {
  const make = (name: string) => ({
    name,
    description: `${name} a record`,
    parameters: z.object({ id: z.string() }),
    execute: async ({ id }: { id: string }) => {
      ran.push(`${name}:${id}`);
      return `${name} ok ${id}`;
    },
  });
  return {
    ran,
    read: make('read'),
    draft: make('draft'),
    update: make('update'),
    send: make('send'),
    merge: make('merge'),
  };
}

/** SDK function tools (built with the SDK's own `tool()`) of the manifest's names. */
export function builtTools(ran: string[] = []): Record<string, FunctionTool> {
  const options = sdkToolOptions(ran);
  return Object.fromEntries(
    (['read', 'draft', 'update', 'send', 'merge'] as const).map((name) => [
      name,
      tool(options[name]) as unknown as FunctionTool,
    ]),
  );
}

/** A guarded agent on a scripted model. */
export function scriptedAgent(
  orbitAgents: OrbitAgents,
  turns: ScriptedCall[][],
  tools: FunctionTool[],
  options: { name?: string; usage?: number; handoffs?: unknown[] } = {},
) {
  const model = new ScriptedAgentsModel(turns, 'done', options.usage ?? 0);
  const agent = orbitAgents.agent(
    new Agent({
      name: options.name ?? 'agent',
      instructions: 'work',
      model,
      tools,
      handoffs: (options.handoffs ?? []) as never,
    }),
  );
  return { agent, model };
}

/** Runs a thread from a user message. */
export function start(
  agent: AnyAgent,
  threadId: string,
  context: Record<string, unknown> = {},
): Promise<AnyRunResult> {
  return run(agent, 'go', { context: orbitContext(threadId, context) });
}

/** Saves a paused result's state as an application would, and restores it (a fresh `RunState`). */
export async function saveAndRestore(agent: AnyAgent, result: AnyRunResult) {
  const saved = result.state.toString();
  return { saved, state: await RunState.fromString(agent, saved) };
}

/** The tool outputs the model read in its last request, by call id. */
export function outputs(model: ScriptedAgentsModel): Record<string, string> {
  return Object.fromEntries(model.lastOutputs());
}
