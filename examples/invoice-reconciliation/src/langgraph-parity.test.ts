import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import { runInvoiceReconciliation } from './run-core.js';
import { runInvoiceReconciliationOnLangGraph, scriptedInvoiceModel } from './run-langgraph.js';
import { INVOICE_STEPS } from './scenario.js';

const of = (sink: MemorySink, kind: AuditEvent['event']) =>
  sink.events.filter((event) => event.event === kind);

describe('invoice reconciliation on LangGraph: parity with the core-only reference', async () => {
  const coreSink = new MemorySink();
  const graphSink = new MemorySink();
  const core = await runInvoiceReconciliation({ sink: coreSink });
  const model = scriptedInvoiceModel();
  const graph = await runInvoiceReconciliationOnLangGraph({ sink: graphSink, model });

  const decisions = (sink: MemorySink) =>
    of(sink, 'decision').map(({ call_id, tool, decision, reasons, confidence }) => ({
      call_id,
      tool,
      decision,
      reasons,
      confidence,
    }));

  it('records the same decisions, event for event: tool, decision, reasons and confidence, in call order', () => {
    expect(decisions(graphSink)).toEqual(decisions(coreSink));
    // Each call decided exactly once, though LangGraph re-ran the paused tool nodes on resume.
    const expected = INVOICE_STEPS.slice(0, 6);
    expect(decisions(graphSink)).toHaveLength(expected.length);
    expect(decisions(graphSink).map((d) => d.call_id)).toEqual(expected.map((_, i) => `call-${i + 1}`));
    expect(decisions(graphSink).map((d) => [d.tool, d.confidence, d.decision, d.reasons])).toEqual(
      expected.map((step) => [step.tool, step.confidence, step.expected.decision, step.expected.reasons]),
    );
  });

  it("records the same approvals: two requests, the reviewer's approve and deny, with who answered", () => {
    const approvals = (sink: MemorySink) =>
      of(sink, 'approval').map(({ call_id, approval, approver, comment, reasons }) => ({
        call_id,
        approval,
        approver,
        comment,
        reasons,
      }));
    expect(approvals(graphSink)).toEqual(approvals(coreSink));
    expect(approvals(graphSink).map((a) => [a.call_id, a.approval, a.approver])).toEqual([
      ['call-3', 'requested', undefined],
      ['call-3', 'approve', 'maria@finance (scripted)'],
      ['call-4', 'requested', undefined],
      ['call-4', 'deny', 'maria@finance (scripted)'],
    ]);
  });

  it('executes the same calls, each call has exactly one outcome, and nothing runs after the halt', () => {
    const outcomes = (sink: MemorySink) =>
      of(sink, 'outcome').map(({ call_id, tool, status, decision, reasons }) => ({
        call_id,
        tool,
        status,
        decision,
        reasons,
      }));
    expect(outcomes(graphSink)).toEqual(outcomes(coreSink));
    expect(outcomes(graphSink)).toHaveLength(6);
    expect(
      outcomes(graphSink)
        .filter((o) => o.status === 'executed')
        .map((o) => o.call_id),
    ).toEqual(['call-1', 'call-2', 'call-3', 'call-5']);
  });

  it('writes the same audit trail, event for event, tool outputs included, but for run ids and times', () => {
    const normalize = (sink: MemorySink) =>
      sink.events.map(({ ts, run_id, approval_id, action_hash, elapsed_ms, waited_ms, ...rest }) => rest);
    expect(normalize(graphSink)).toEqual(normalize(coreSink));
    expect(new Set(graphSink.events.map((event) => event.run_id))).toEqual(new Set([graph.runId]));
  });

  it('leaves billing in the same state: two invoices matched, INV-1003 open and flagged, no merge', () => {
    expect(graph.billing.merged).toBe(false);
    expect([...graph.billing.invoices]).toEqual([...core.billing.invoices]);
    expect(graph.billing.flags).toEqual(core.billing.flags);
    expect(Object.fromEntries(graph.billing.invoices)).toEqual({
      'INV-1001': 'matched',
      'INV-1002': 'matched',
      'INV-1003': 'open',
    });
  });

  it('produces the same rollback report', () => {
    expect(graph.rollback).toEqual(core.rollback);
    expect(graph.rollback?.manual_recovery.map((entry) => entry.call_id)).toEqual(['call-3', 'call-2']);
  });

  it("reports the same steps as the demo prints them, read back from ORBIT's audit events", () => {
    const view = (steps: typeof core.steps) =>
      steps.map((step) => [
        step.tool,
        step.confidence,
        step.paused,
        step.decision.decision,
        step.decision.reasons,
        step.status,
        step.approval,
      ]);
    expect(view(graph.steps)).toEqual(view(core.steps));
    expect(graph.digest).toBe(core.digest);
    expect(graph.kid).toBe(core.kid);
  });

  it('answers the pauses through LangGraph interrupts: three invokes, each model turn asked once', () => {
    // The first invoke pauses at call-3; the first resume pauses at call-4; the second resume halts.
    expect(graph.invocations).toBe(3);
    // A resume re-runs the paused tool node only, never the model turn before it.
    expect(model.calls).toBe(6);
    expect(graph.model).toBe('scripted (offline)');
    expect(graph.runId).toBe(graph.threadId);
  });
});
