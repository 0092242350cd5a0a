import { ScriptedAiModel } from '@orbit-agents/example-support/scripted-ai-model';
import type { OrbitAnswer } from '@orbit-agents/vercel-ai';
import { describe, expect, it } from 'vitest';
import { runResearchOrchestratorOnVercelAi, scriptedAiModels } from './run-vercel-ai.js';
import { ORCHESTRATOR_SCRIPT } from './scenario.js';
import {
  expectApprovedResume,
  expectDeniedUpdate,
  HESITANT,
  reviewedRun,
  withHesitantDataEntry,
} from './sub-agent-approval.js';

// Not in the core-only reference (its scenario never pauses): the data-entry agent's first update is
// made at confidence 0.75 (HESITANT), so ORBIT pauses it inside the sub-agent. On the AI SDK that
// request surfaces on the orchestrator's delegating call, and the answer resumes the sub-agent.
const runWith = (answer: OrbitAnswer) =>
  reviewedRun(
    runResearchOrchestratorOnVercelAi,
    withHesitantDataEntry(scriptedAiModels(), (...script) => new ScriptedAiModel(...script)),
    answer,
  );

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
    expectApprovedResume({ models, report, of });
  });

  it("takes a denial as the sub-agent's: the update is not made, the sub-agent goes on without it", async () => {
    const { report, of } = await runWith({ type: 'deny', approver: 'dana@sales', reason: 'Not C-1.' });
    expectDeniedUpdate({ report, of });
    // The delegating call ends with the sub-agent's own end (its halt at the helper), not the SDK's denial.
    expect(report.told.find((result) => result.tool === 'enter_data')).toMatchObject({ status: 'error' });
    expect(report.told.find((result) => result.tool === 'enter_data')!.content).toContain(
      'spawn_not_permitted',
    );
  });
});
