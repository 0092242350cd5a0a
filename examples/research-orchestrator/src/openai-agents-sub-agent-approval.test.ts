import { ScriptedAgentsModel } from '@orbit-agents/example-support/scripted-agents-model';
import type { OrbitAnswer } from '@orbit-agents/openai-agents';
import { describe, expect, it } from 'vitest';
import { runResearchOrchestratorOnOpenAIAgents, scriptedAgentsModels } from './run-openai-agents.js';
import {
  expectApprovedResume,
  expectDeniedUpdate,
  HESITANT,
  reviewedRun,
  withHesitantDataEntry,
} from './sub-agent-approval.js';

// Not in the core-only reference (its scenario never pauses): the data-entry agent's first update is
// made at confidence 0.75 (HESITANT), so ORBIT pauses it inside the sub-agent. On the OpenAI Agents SDK
// the data-entry agent was handed the conversation: the pause is an interruption of the orchestrator's
// top-level run(), the application saves and restores the RunState, and the answer resumes the
// data-entry agent.
const runWith = (answer: OrbitAnswer) =>
  reviewedRun(
    runResearchOrchestratorOnOpenAIAgents,
    withHesitantDataEntry(scriptedAgentsModels(), (...script) => new ScriptedAgentsModel(...script)),
    answer,
  );

describe("a sub-agent's approval request on the OpenAI Agents SDK (the agent a handoff went to)", () => {
  it('surfaces as an interruption of the top-level run, with depth 1 and what ORBIT paused', async () => {
    const { asked, report } = await runWith({ type: 'approve', approver: 'dana@sales' });
    expect(asked).toHaveLength(1);
    const [pending] = asked;
    expect(pending!.item.agent.name).toBe('data-entry');
    expect(pending!.item.name).toBe('update_crm_record');
    expect(pending!.orbit).toMatchObject({
      depth: 1,
      agent_id: 'data-entry',
      call_id: 'call-1',
      tool: 'update_crm_record',
      args: { contact_id: 'C-1', note: 'Rival Pro $49/seat' },
      confidence: HESITANT,
      reasons: ['below_tool_threshold'],
    });
    // The first run() stopped at the request; the resume ran on to the data-entry agent's halt; the
    // orchestrator, given the conversation back, was halted at its third sub-agent.
    expect(report.invocations).toBe(3);
  });

  it('saves a RunState that names the thread and the sub-agent run, and holds no token', async () => {
    const { report } = await runWith({ type: 'approve', approver: 'dana@sales' });
    expect(report.saved).toHaveLength(1);
    const saved = report.saved[0]!;
    const { context } = (JSON.parse(saved) as { context: { context: Record<string, unknown> } }).context;
    expect(context.orbit_thread).toBe(report.threadId);
    expect(context.orbit_run).toBe(report.tree.children[1]!.runId);
    // No JWT (a minted token is one) anywhere in what the application stores.
    expect(saved).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  });

  it('resumes the handed-off agent with the approval: the paused update runs, and the scenario goes on as scripted', async () => {
    const { models, report, of } = await runWith({ type: 'approve', approver: 'dana@sales' });
    expectApprovedResume({ models, report, of });
  });

  it("takes a denial as the sub-agent's: the update is not made, its model reads the reason and goes on", async () => {
    const { models, report, of } = await runWith({
      type: 'deny',
      approver: 'dana@sales',
      comment: 'Not C-1.',
    });
    expectDeniedUpdate({ report, of });
    expect(models.dataEntry.lastResults().find((result) => result.callId === 'call-1')?.output).toBe(
      'Not C-1.',
    );
    // The conversation came back to the orchestrator with the data-entry agent's own end: its halt at the helper.
    expect(JSON.parse(report.told.at(-1)!.content)).toMatchObject({ reasons: ['spawn_not_permitted'] });
  });
});
