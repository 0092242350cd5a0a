import type { ToolMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import {
  expectThreeInvocationsEachTurnOnce,
  itMatchesTheReference,
  parityRuns,
  REFUSED_REASONS,
  refusalJson,
} from './parity.js';
import { runInvoiceReconciliationOnLangGraph, scriptedInvoiceModel } from './run-langgraph.js';

describe('invoice reconciliation on LangGraph: parity with the core-only reference', async () => {
  const model = scriptedInvoiceModel();
  const runs = await parityRuns((sink) => runInvoiceReconciliationOnLangGraph({ sink, model }));

  // Each call decided exactly once, though LangGraph re-ran the paused tool nodes on resume.
  itMatchesTheReference(runs);

  it('answers the pauses through LangGraph interrupts: three invokes, each model turn asked once', () => {
    // The first invoke pauses at call-5; the first resume pauses at call-6; the second resume halts.
    // A resume re-runs the paused tool node only, never the model turn before it.
    expectThreeInvocationsEachTurnOnce(runs.framework, model.calls);
  });

  it("shows the model the tool results as tool messages: the blocks are ORBIT's refusals, the denial the reviewer's comment", () => {
    const results = model.lastMessages
      .filter((message) => message.getType() === 'tool')
      .map((message) => message as ToolMessage);
    expect(results.map((message) => [message.tool_call_id, message.status])).toEqual([
      ['call-1', 'success'],
      ['call-2', 'success'],
      ['call-3', 'error'],
      ['call-4', 'error'],
      ['call-5', 'success'],
      ['call-6', 'error'],
      ['call-7', 'success'],
    ]);
    // The two blocked calls: ORBIT's refusal, naming the rule that fired; the run went on.
    expect(results.slice(2, 4).map((message) => JSON.parse(String(message.content)))).toEqual(
      REFUSED_REASONS.map(refusalJson),
    );
    expect(results[5]!.content).toBe('Ambiguous account: flag it instead.');
  });
});
