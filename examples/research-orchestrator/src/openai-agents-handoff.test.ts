import { MemorySink } from '@orbit-agents/core';
import { ScriptedAgentsModel } from '@orbit-agents/example-support/scripted-agents-model';
import { describe, expect, it } from 'vitest';
import { runResearchOrchestratorOnOpenAIAgents, scriptedAgentsModels } from './run-openai-agents.js';
import { ORCHESTRATOR_SCRIPT } from './scenario.js';

// Not in the core-only reference: the data-entry agent stops after its four updates instead of trying
// to delegate, so the SDK run ends normally with the agent the handoff went to. The application gives
// the conversation back to the orchestrator all the same.
describe('the OpenAI Agents handoff: the agent it went to finishes', async () => {
  const models = scriptedAgentsModels();
  const updates = ORCHESTRATOR_SCRIPT.dataEntry.turns.slice(0, 4);
  models.dataEntry = new ScriptedAgentsModel(updates, 'Contacts updated.', 'dataEntry');
  const sink = new MemorySink();
  const report = await runResearchOrchestratorOnOpenAIAgents({ sink, models });

  it('gives the conversation back to the orchestrator, which reads what the agent said and goes on with its plan', () => {
    expect(report.invocations).toBe(2);
    const read = models.orchestrator.requests.at(-1)!.input as { role?: string; content?: unknown }[];
    expect(JSON.stringify(read.filter((item) => item.role === 'assistant'))).toContain('Contacts updated.');
    // Its next step, the third sub-agent, is refused as in the scripted scenario.
    expect(report.refusals.at(-1)).toMatchObject({ decision: 'halt', reasons: ['sub_agent_limit_exceeded'] });
    expect(models.orchestrator.calls).toBe(ORCHESTRATOR_SCRIPT.orchestrator.turns.length);
  });

  it('tells the orchestrator of no halt: the handoff is the last of its delegations it heard of', () => {
    expect(report.told.map((result) => [result.tool, result.status])).toEqual([
      ['research', 'refusal'],
      ['pay_rival_invoice', 'refusal'],
      ['enter_data', 'output'],
    ]);
    const dataEntry = sink.events.filter(
      (event) => event.event === 'decision' && event.agent_id === 'data-entry',
    );
    expect(dataEntry.map((event) => event.decision)).toEqual(['proceed', 'proceed', 'proceed', 'block']);
    expect([...report.world.crm.keys()]).toEqual(['C-1', 'C-2', 'C-3']);
  });
});
