import { describe, it } from 'vitest';
import { expectThreeInvocationsEachTurnOnce, itMatchesTheReference, parityRuns } from './parity.js';
import { runInvoiceReconciliationOnLangGraph, scriptedInvoiceModel } from './run-langgraph.js';

describe('invoice reconciliation on LangGraph: parity with the core-only reference', async () => {
  const model = scriptedInvoiceModel();
  const runs = await parityRuns((sink) => runInvoiceReconciliationOnLangGraph({ sink, model }));

  // Each call decided exactly once, though LangGraph re-ran the paused tool nodes on resume.
  itMatchesTheReference(runs);

  it('answers the pauses through LangGraph interrupts: three invokes, each model turn asked once', () => {
    // The first invoke pauses at call-3; the first resume pauses at call-4; the second resume halts.
    // A resume re-runs the paused tool node only, never the model turn before it.
    expectThreeInvocationsEachTurnOnce(runs.framework, model.calls);
  });
});
