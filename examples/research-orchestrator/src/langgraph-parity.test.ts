import { describe, expect, it } from 'vitest';
import { expectEachScriptedTurnAskedOnce, itMatchesTheReference, parityRuns } from './parity.js';
import { runResearchOrchestratorOnLangGraph, scriptedModels } from './run-langgraph.js';

describe('the research orchestrator on LangGraph: parity with the core-only reference', async () => {
  const models = scriptedModels();
  const runs = await parityRuns((sink) => runResearchOrchestratorOnLangGraph({ sink, models }));
  const graph = runs.framework;

  // Each call decided once, whatever LangGraph re-ran; the data-entry agent's calls carry the model's ids.
  itMatchesTheReference(runs);

  it("tells the orchestrator's model, as tool results, that its sub-agents were stopped", () => {
    expect(graph.told.map((message) => [message.status, JSON.parse(message.content).reasons])).toEqual([
      ['error', ['token_scope_violation']],
      ['error', ['scope_escalation']],
      ['error', ['spawn_not_permitted']],
    ]);
    expect(graph.told[0]!.content).toContain('The sub-agent was halted by ORBIT');
    expectEachScriptedTurnAskedOnce(models);
  });
});
