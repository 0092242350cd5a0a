import { describe, expect, it } from 'vitest';
import {
  expectThreeInvocationsEachTurnOnce,
  itMatchesTheReference,
  parityRuns,
  REFUSED_REASONS,
  refusalJson,
} from './parity.js';
import { runInvoiceReconciliationOnOpenAIAgents, scriptedInvoiceAgentsModel } from './run-openai-agents.js';

describe('invoice reconciliation on the OpenAI Agents SDK: parity with the core-only reference', async () => {
  const model = scriptedInvoiceAgentsModel();
  const runs = await parityRuns((sink) => runInvoiceReconciliationOnOpenAIAgents({ sink, model }));

  // Each call decided exactly once, though the SDK asks needsApproval again after a RunState is restored.
  itMatchesTheReference(runs);

  it('answers the pauses through the SDK: three run() calls, each model turn asked once', () => {
    // The first run() pauses at call-5; the resume with the approval pauses at call-6; the resume with
    // the denial halts at the merge. A resume runs the answered call first, never the model turn before it.
    expectThreeInvocationsEachTurnOnce(runs.framework, model.calls);
  });

  it('resumes from the saved RunState strings, which name the thread and hold no token', () => {
    const { saved, threadId } = runs.framework;
    expect(saved).toHaveLength(2);
    for (const text of saved) {
      const { context } = JSON.parse(text).context as { context: Record<string, unknown> };
      expect(context.orbit_thread).toBe(threadId);
      expect(Object.keys(context).filter((key) => /token/i.test(key))).toEqual([]);
    }
  });

  it("shows the model the tool results the SDK way: the blocks are ORBIT's refusals, the denial is the comment the reviewer wrote", () => {
    const results = model.lastResults();
    expect(results.map((result) => result.callId)).toEqual([
      'call-1',
      'call-2',
      'call-3',
      'call-4',
      'call-5',
      'call-6',
      'call-7',
    ]);
    // The two blocked calls: ORBIT's refusal, naming the rule that fired; the run went on.
    expect(results.slice(2, 4).map((result) => JSON.parse(result.output))).toEqual(
      REFUSED_REASONS.map(refusalJson),
    );
    expect(results[5]!.output).toBe('Ambiguous account: flag it instead.');
    expect(JSON.parse(results[4]!.output)).toMatchObject({ invoice_id: 'INV-1002', status: 'matched' });
  });

  it('saved the state of each pause: paused at call-5, then at call-6', () => {
    const pausedAt = (text: string) =>
      (
        JSON.parse(text) as {
          currentStep?: { type?: string; data?: { interruptions?: { rawItem: { callId: string } }[] } };
        }
      ).currentStep?.data?.interruptions?.map((item) => item.rawItem.callId);
    expect(runs.framework.saved.map(pausedAt)).toEqual([['call-5'], ['call-6']]);
  });
});
