import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { ScriptedAiModel } from '@orbit-agents/example-support/scripted-ai-model';
import type { OrbitAnswer, PendingApproval } from '@orbit-agents/vercel-ai';
import { describe, expect, it } from 'vitest';
import { runResearchOrchestratorOnVercelAi, scriptedAiModels } from './run-vercel-ai.js';
import { ORCHESTRATOR_SCRIPT } from './scenario.js';

// Not in the core-only reference (its scenario never pauses): the data-entry agent's first update is
// made at confidence 0.75, under update_crm_record's threshold (0.8) and over the floor (0.7), so ORBIT
// pauses it inside the sub-agent. On the AI SDK that request surfaces on the orchestrator's delegating
// call, and the answer resumes the sub-agent.
const HESITANT = 0.75;

async function runWith(answer: OrbitAnswer) {
  const models = scriptedAiModels();
  const [first, ...rest] = ORCHESTRATOR_SCRIPT.dataEntry.turns;
  const hesitant = first!.map((call) => ({ ...call, args: { ...call.args, confidence: HESITANT } }));
  models.dataEntry = new ScriptedAiModel(
    [hesitant, ...rest],
    ORCHESTRATOR_SCRIPT.dataEntry.final,
    'dataEntry',
  );
  const sink = new MemorySink();
  const asked: PendingApproval[] = [];
  const report = await runResearchOrchestratorOnVercelAi({
    sink,
    models,
    review: (pending) => {
      asked.push(pending);
      return answer;
    },
  });
  const of = (kind: AuditEvent['event'], agent: string) =>
    sink.events.filter((event) => event.event === kind && event.agent_id === agent);
  return { models, report, asked, of };
}

describe("a sub-agent's approval request on the Vercel AI SDK", () => {
  it('surfaces on the delegating call of the orchestrator, with depth 1 and what ORBIT paused', async () => {
    const { asked, report } = await runWith({ type: 'approve', approver: 'dana@sales' });
    expect(asked).toHaveLength(1);
    const [pending] = asked;
    expect(pending).toMatchObject({
      toolName: 'enter_data',
      toolCallId: ORCHESTRATOR_SCRIPT.orchestrator.turns[2]![0]!.id,
      orbit: {
        depth: 1,
        agent_id: 'data-entry',
        call_id: 'call-1',
        tool: 'update_crm_record',
        args: { contact_id: 'C-1', note: 'Rival Pro $49/seat' },
        confidence: HESITANT,
        reasons: ['below_tool_threshold'],
      },
    });
    expect(pending!.reason).toContain('below_tool_threshold');
    // The first generateText call stopped at the request; the second carried the answer.
    expect(report.invocations).toBe(2);
  });

  it('resumes the sub-agent with the approval: the paused update runs, and the scenario goes on as scripted', async () => {
    const { models, report, of } = await runWith({ type: 'approve', approver: 'dana@sales' });
    expect(
      of('approval', 'data-entry').map((event) => [event.call_id, event.approval, event.approver]),
    ).toEqual([
      ['call-1', 'requested', undefined],
      ['call-1', 'approve', 'dana@sales'],
    ]);
    expect(of('outcome', 'data-entry').map((event) => [event.call_id, event.status])).toEqual([
      ['call-1', 'executed'],
      ['call-2', 'executed'],
      ['call-3', 'executed'],
      ['call-4', 'not_executed'],
    ]);
    expect(
      of('decision', 'data-entry').map((event) => [event.call_id, event.decision, event.reasons]),
    ).toEqual([
      ['call-1', 'pause', ['below_tool_threshold']],
      ['call-2', 'proceed', []],
      ['call-3', 'proceed', []],
      ['call-4', 'block', ['max_calls_exceeded']],
      ['spawn-1', 'halt', ['spawn_not_permitted']],
    ]);
    expect([...report.world.crm.keys()]).toEqual(['C-1', 'C-2', 'C-3']);
    // The orchestrator is still stopped at its third sub-agent, and nothing is asked twice.
    expect(report.refusals.at(-1)).toMatchObject({ decision: 'halt', reasons: ['sub_agent_limit_exceeded'] });
    expect([models.orchestrator.calls, models.dataEntry.calls]).toEqual([
      ORCHESTRATOR_SCRIPT.orchestrator.turns.length,
      ORCHESTRATOR_SCRIPT.dataEntry.turns.length,
    ]);
  });

  it("takes a denial as the sub-agent's: the update is not made, the sub-agent goes on without it", async () => {
    const { report, of } = await runWith({ type: 'deny', approver: 'dana@sales', reason: 'Not C-1.' });
    expect(
      of('approval', 'data-entry').map((event) => [event.call_id, event.approval, event.comment]),
    ).toEqual([
      ['call-1', 'requested', undefined],
      ['call-1', 'deny', 'Not C-1.'],
    ]);
    const outcomes = of('outcome', 'data-entry').map((event) => [event.call_id, event.status]);
    expect(outcomes[0]).toEqual(['call-1', 'not_executed']);
    expect(outcomes.slice(1, 3)).toEqual([
      ['call-2', 'executed'],
      ['call-3', 'executed'],
    ]);
    expect(report.world.crm.has('C-1')).toBe(false);
    // The delegating call ends with the sub-agent's own end (its halt at the helper), not the SDK's denial.
    expect(report.told.find((result) => result.tool === 'enter_data')).toMatchObject({ status: 'error' });
    expect(report.told.find((result) => result.tool === 'enter_data')!.content).toContain(
      'spawn_not_permitted',
    );
  });
});
