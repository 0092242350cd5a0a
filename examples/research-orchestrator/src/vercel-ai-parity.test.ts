import { describe, expect, it } from 'vitest';
import { expectEachScriptedTurnAskedOnce, itMatchesTheReference, parityRuns } from './parity.js';
import { runResearchOrchestratorOnVercelAi, scriptedAiModels } from './run-vercel-ai.js';

describe('the research orchestrator on the Vercel AI SDK: parity with the core-only reference', async () => {
  const models = scriptedAiModels();
  const runs = await parityRuns((sink) => runResearchOrchestratorOnVercelAi({ sink, models }));
  const ai = runs.framework;

  // Each call decided once, though the SDK asks toolApproval and runs the tool apart; the data-entry
  // agent's calls carry the model's ids.
  itMatchesTheReference(runs);

  it("tells the orchestrator's model, as tool results, that its sub-agents were stopped", () => {
    expect(ai.told.map((result) => [result.tool, result.status])).toEqual([
      ['research', 'error'],
      ['pay_rival_invoice', 'denied'],
      ['enter_data', 'error'],
    ]);
    // The halted sub-agents' errors are ORBIT's structured refusals (JSON, as on LangGraph); the
    // refused delegation is the SDK's denial with ORBIT's reasons.
    expect(JSON.parse(ai.told[0]!.content)).toMatchObject({
      refused: true,
      decision: 'halt',
      reasons: ['token_scope_violation'],
      message: expect.stringMatching(/of "researcher" at "send_external_email" \(token_scope_violation\)/),
    });
    expect(ai.told[1]!.content).toContain('block: scope_escalation');
    expect(JSON.parse(ai.told[2]!.content)).toMatchObject({
      reasons: ['spawn_not_permitted'],
      message: expect.stringMatching(/of "data-entry" at "spawn_sub_agent" \(spawn_not_permitted\)/),
    });
  });

  it('asks each scripted turn once, in one generateText call: the scenario never pauses', () => {
    expect(ai.invocations).toBe(1);
    expectEachScriptedTurnAskedOnce(models);
  });
});
