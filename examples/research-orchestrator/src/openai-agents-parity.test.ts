import { describe, expect, it } from 'vitest';
import { expectEachScriptedTurnAskedOnce, itMatchesTheReference, parityRuns } from './parity.js';
import { runResearchOrchestratorOnOpenAIAgents, scriptedAgentsModels } from './run-openai-agents.js';

describe('the research orchestrator on the OpenAI Agents SDK: parity with the core-only reference', async () => {
  const models = scriptedAgentsModels();
  const runs = await parityRuns((sink) => runResearchOrchestratorOnOpenAIAgents({ sink, models }));
  const oa = runs.framework;

  // Each call decided once; the researcher is an agent-as-tool, the data-entry agent is reached by a handoff.
  itMatchesTheReference(runs);

  it('mints a token for each delegation, agent-as-tool and handoff alike, and each sub-agent acts under its own', () => {
    const minted = runs.frameworkSink.events.filter(
      (event) => event.event === 'token' && event.token === 'minted',
    );
    expect(minted.map((event) => [event.sub_agent, event.depth])).toEqual([
      ['researcher', 1],
      ['data-entry', 1],
    ]);
    const [researcher, dataEntry] = oa.tree.children;
    expect([researcher!.tokenId, dataEntry!.tokenId]).toEqual(minted.map((event) => event.token_id));
    expect(researcher!.tokenId).not.toBe(dataEntry!.tokenId);
    // The handed-off agent's calls are decided in its own run, under its token's scope, not the orchestrator's.
    const runOf = (agent: string) =>
      new Set(
        runs.frameworkSink.events
          .filter((event) => event.event === 'decision' && event.agent_id === agent)
          .map((event) => event.run_id),
      );
    expect(runOf('data-entry')).toEqual(new Set([dataEntry!.runId]));
    expect(runOf('researcher')).toEqual(new Set([researcher!.runId]));
    expect(dataEntry!.runId).not.toBe(oa.tree.runId);
    expect(Object.keys(dataEntry!.scope.tools)).toEqual(['update_crm_record']);
  });

  it("tells the orchestrator's model what its delegations came to: refusals, the handoff, and the hand-back", () => {
    expect(oa.told.map((result) => [result.tool, result.status])).toEqual([
      ['research', 'refusal'],
      ['pay_rival_invoice', 'refusal'],
      ['enter_data', 'output'],
      ['enter_data', 'refusal'],
    ]);
    const [research, payment, handoff, handedBack] = oa.told.map((result) => result.content);
    expect(JSON.parse(research!)).toMatchObject({
      decision: 'halt',
      reasons: ['token_scope_violation'],
      message: expect.stringMatching(/of "researcher" at "send_external_email" \(token_scope_violation\)/),
    });
    expect(JSON.parse(payment!)).toMatchObject({ decision: 'block', reasons: ['scope_escalation'] });
    // The SDK's own result of a handoff; the conversation then belongs to the data-entry agent.
    expect(JSON.parse(handoff!)).toEqual({ assistant: 'data-entry' });
    // ORBIT halted the data-entry agent; the application gave the conversation back, with the refusal.
    expect(JSON.parse(handedBack!)).toMatchObject({
      decision: 'halt',
      reasons: ['spawn_not_permitted'],
      message: expect.stringMatching(/of "data-entry" at "spawn_sub_agent" \(spawn_not_permitted\)/),
    });
  });

  it('asks each scripted turn once, in two run() calls: the first ends at the handed-off agent’s halt, the second at the orchestrator’s', () => {
    expect(oa.invocations).toBe(2);
    expect(oa.saved).toEqual([]);
    expectEachScriptedTurnAskedOnce(models);
  });
});
