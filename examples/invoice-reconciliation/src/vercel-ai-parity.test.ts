import { describe, expect, it } from 'vitest';
import {
  expectThreeInvocationsEachTurnOnce,
  itMatchesTheReference,
  parityRuns,
  REFUSED_REASONS,
  refusalMessage,
} from './parity.js';
import { runInvoiceReconciliationOnVercelAi, scriptedInvoiceAiModel } from './run-vercel-ai.js';

describe('invoice reconciliation on the Vercel AI SDK: parity with the core-only reference', async () => {
  const model = scriptedInvoiceAiModel();
  const runs = await parityRuns((sink) => runInvoiceReconciliationOnVercelAi({ sink, model }));

  // Each call decided exactly once, though every generateText call is given the whole conversation.
  itMatchesTheReference(runs);

  it('answers the pauses through the SDK: three generateText calls, each model turn asked once', () => {
    // The first call pauses at call-5; the second (with the approval) pauses at call-6; the third
    // (with the denial) halts at the merge. A call with an answer runs the answered tool first, never
    // the model turn before it again.
    expectThreeInvocationsEachTurnOnce(runs.framework, model.calls);
  });

  it('asks the model with the tools and the conversation the SDK way: the answers reach it as tool results', () => {
    const prompts = model.doGenerateCalls.map((call) => call.prompt);
    // Turn i of the scripted model sees i assistant messages: the conversation was carried whole.
    expect(prompts.map((prompt) => prompt.filter((message) => message.role === 'assistant').length)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    const results = prompts
      .at(-1)!
      .flatMap((message) =>
        message.role === 'tool'
          ? message.content.flatMap((part) => (part.type === 'tool-result' ? [part] : []))
          : [],
      );
    // The two blocked calls and the denied call-6 reach the model as ORBIT's refusals, the others as their outputs.
    expect(results.map((part) => [part.toolCallId, part.output.type])).toEqual([
      ['call-1', 'json'],
      ['call-2', 'json'],
      ['call-3', 'execution-denied'],
      ['call-4', 'execution-denied'],
      ['call-5', 'json'],
      ['call-6', 'execution-denied'],
      ['call-7', 'json'],
    ]);
    expect(results.slice(2, 4).map((part) => part.output)).toEqual(
      REFUSED_REASONS.map((reason) => ({ type: 'execution-denied', reason: refusalMessage(reason) })),
    );
    const denied = results[5]!.output as { reason?: string };
    expect(denied.reason).toContain('approval_denied');
    expect(denied.reason).toContain('Ambiguous account: flag it instead.');
  });
});
