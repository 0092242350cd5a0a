import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import { runInvoiceReconciliation } from './run-core.js';
import { runInvoiceReconciliationOnVercelAi, scriptedInvoiceAiModel } from './run-vercel-ai.js';
import { INVOICE_STEPS } from './scenario.js';

const of = (sink: MemorySink, kind: AuditEvent['event']) =>
  sink.events.filter((event) => event.event === kind);

describe('invoice reconciliation on the Vercel AI SDK: parity with the core-only reference', async () => {
  const coreSink = new MemorySink();
  const aiSink = new MemorySink();
  const core = await runInvoiceReconciliation({ sink: coreSink });
  const model = scriptedInvoiceAiModel();
  const ai = await runInvoiceReconciliationOnVercelAi({ sink: aiSink, model });

  const decisions = (sink: MemorySink) =>
    of(sink, 'decision').map(({ call_id, tool, decision, reasons, confidence }) => ({
      call_id,
      tool,
      decision,
      reasons,
      confidence,
    }));

  it('records the same decisions, event for event: tool, decision, reasons and confidence, in call order', () => {
    expect(decisions(aiSink)).toEqual(decisions(coreSink));
    // Each call decided exactly once, though every generateText call is given the whole conversation.
    const expected = INVOICE_STEPS.slice(0, 6);
    expect(decisions(aiSink)).toHaveLength(expected.length);
    expect(decisions(aiSink).map((d) => d.call_id)).toEqual(expected.map((_, i) => `call-${i + 1}`));
    expect(decisions(aiSink).map((d) => [d.tool, d.confidence, d.decision, d.reasons])).toEqual(
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
    expect(approvals(aiSink)).toEqual(approvals(coreSink));
    expect(approvals(aiSink).map((a) => [a.call_id, a.approval, a.approver, a.comment])).toEqual([
      ['call-3', 'requested', undefined, undefined],
      ['call-3', 'approve', 'maria@finance (scripted)', 'Matches the PO.'],
      ['call-4', 'requested', undefined, undefined],
      ['call-4', 'deny', 'maria@finance (scripted)', 'Ambiguous account: flag it instead.'],
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
    expect(outcomes(aiSink)).toEqual(outcomes(coreSink));
    expect(outcomes(aiSink)).toHaveLength(6);
    expect(
      outcomes(aiSink)
        .filter((o) => o.status === 'executed')
        .map((o) => o.call_id),
    ).toEqual(
      INVOICE_STEPS.slice(0, 6).flatMap((step, i) => (step.expected.executed ? [`call-${i + 1}`] : [])),
    );
    expect(outcomes(aiSink).at(-1)).toMatchObject({
      call_id: 'call-6',
      tool: 'merge_crm_accounts',
      status: 'not_executed',
      decision: 'halt',
    });
  });

  it('writes the same audit trail, event for event, tool outputs included, but for run ids and times', () => {
    const normalize = (sink: MemorySink) =>
      sink.events.map(({ ts, run_id, approval_id, action_hash, elapsed_ms, waited_ms, ...rest }) => rest);
    expect(normalize(aiSink)).toEqual(normalize(coreSink));
    expect(new Set(aiSink.events.map((event) => event.run_id))).toEqual(new Set([ai.runId]));
  });

  it('leaves billing in the same state: two invoices matched, INV-1003 open and flagged, no merge', () => {
    expect(ai.billing.merged).toBe(false);
    expect([...ai.billing.invoices]).toEqual([...core.billing.invoices]);
    expect(ai.billing.flags).toEqual(core.billing.flags);
    expect(Object.fromEntries(ai.billing.invoices)).toEqual({
      'INV-1001': 'matched',
      'INV-1002': 'matched',
      'INV-1003': 'open',
    });
  });

  it('produces the same rollback report', () => {
    expect(ai.rollback).toEqual(core.rollback);
    expect(ai.rollback?.manual_recovery.map((entry) => entry.call_id)).toEqual(['call-3', 'call-2']);
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
    expect(view(ai.steps)).toEqual(view(core.steps));
    expect(ai.digest).toBe(core.digest);
    expect(ai.kid).toBe(core.kid);
  });

  it('answers the pauses through the SDK: three generateText calls, each model turn asked once', () => {
    // The first call pauses at call-3; the second (with the approval) pauses at call-4; the third
    // (with the denial) halts at the merge.
    expect(ai.invocations).toBe(3);
    // A call with an answer runs the answered tool first, never the model turn before it again.
    expect(model.calls).toBe(6);
    expect(ai.model).toBe('scripted (offline)');
    expect(ai.runId).toBe(ai.threadId);
  });

  it('asks the model with the tools and the conversation the SDK way: the answers reach it as tool results', () => {
    const prompts = model.doGenerateCalls.map((call) => call.prompt);
    // Turn i of the scripted model sees i assistant messages: the conversation was carried whole.
    expect(prompts.map((prompt) => prompt.filter((message) => message.role === 'assistant').length)).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    const results = prompts
      .at(-1)!
      .flatMap((message) =>
        message.role === 'tool'
          ? message.content.flatMap((part) => (part.type === 'tool-result' ? [part] : []))
          : [],
      );
    // The denied call-4 reaches the model as ORBIT's refusal, the others as their outputs.
    expect(results.map((part) => [part.toolCallId, part.output.type])).toEqual([
      ['call-1', 'json'],
      ['call-2', 'json'],
      ['call-3', 'json'],
      ['call-4', 'execution-denied'],
      ['call-5', 'json'],
    ]);
    const denied = results[3]!.output as { reason?: string };
    expect(denied.reason).toContain('approval_denied');
    expect(denied.reason).toContain('Ambiguous account: flag it instead.');
  });
});
