/**
 * The comparisons of a framework run of invoice reconciliation against the core-only reference,
 * shared by the LangGraph, the AI SDK and the OpenAI Agents parity tests (`*-parity.test.ts`): each
 * test file runs its framework through `parityRuns`, registers these cases with
 * `itMatchesTheReference`, and adds the cases particular to its framework. Test support only (it
 * asserts with vitest); not exported by the example.
 */
import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { type ParityRuns as BothRuns, parityOf } from '@orbit-agents/example-support/parity';
import { expect, it } from 'vitest';
import { type InvoiceRunReport, runInvoiceReconciliation } from './run-core.js';
import { INVOICE_STEPS } from './scenario.js';

/** A framework's report: the reference's, and how the framework was driven through the pauses. */
export type FrameworkReport = InvoiceRunReport & { model: string; threadId: string; invocations: number };

type ParityRuns = BothRuns<MemorySink, InvoiceRunReport, FrameworkReport>;

/** Runs the core-only reference, then the framework's run given, each writing to a memory sink of its own. */
export const parityRuns = parityOf(
  () => new MemorySink(),
  (sink: MemorySink) => runInvoiceReconciliation({ sink }),
);

const of = (sink: MemorySink, kind: AuditEvent['event']) =>
  sink.events.filter((event) => event.event === kind);

/** The eight calls the scenario makes, the halted merge the last. */
const CALLED = INVOICE_STEPS.slice(0, 8);

function expectSameDecisions({ coreSink, frameworkSink }: ParityRuns): void {
  const decisions = (sink: MemorySink) =>
    of(sink, 'decision').map(({ call_id, tool, decision, reasons, confidence }) => ({
      call_id,
      tool,
      decision,
      reasons,
      confidence,
    }));
  expect(decisions(frameworkSink)).toEqual(decisions(coreSink));
  // Each call decided exactly once, whether the framework re-ran a paused node or was given the whole conversation again.
  expect(decisions(frameworkSink)).toHaveLength(CALLED.length);
  expect(decisions(frameworkSink).map((d) => d.call_id)).toEqual(CALLED.map((_, i) => `call-${i + 1}`));
  expect(decisions(frameworkSink).map((d) => [d.tool, d.confidence, d.decision, d.reasons])).toEqual(
    CALLED.map((step) => [step.tool, step.confidence, step.expected.decision, step.expected.reasons]),
  );
}

function expectSameApprovals({ coreSink, frameworkSink }: ParityRuns): void {
  const approvals = (sink: MemorySink) =>
    of(sink, 'approval').map(({ call_id, approval, approver, comment, reasons }) => ({
      call_id,
      approval,
      approver,
      comment,
      reasons,
    }));
  expect(approvals(frameworkSink)).toEqual(approvals(coreSink));
  expect(approvals(frameworkSink).map((a) => [a.call_id, a.approval, a.approver, a.comment])).toEqual([
    ['call-5', 'requested', undefined, undefined],
    ['call-5', 'approve', 'maria@finance (scripted)', 'Matches the PO.'],
    ['call-6', 'requested', undefined, undefined],
    ['call-6', 'deny', 'maria@finance (scripted)', 'Ambiguous account: flag it instead.'],
  ]);
}

function expectSameOutcomes({ coreSink, frameworkSink }: ParityRuns): void {
  const outcomes = (sink: MemorySink) =>
    of(sink, 'outcome').map(({ call_id, tool, status, decision, reasons }) => ({
      call_id,
      tool,
      status,
      decision,
      reasons,
    }));
  const frameworkOutcomes = outcomes(frameworkSink);
  expect(frameworkOutcomes).toEqual(outcomes(coreSink));
  expect(frameworkOutcomes).toHaveLength(8);
  const executed = frameworkOutcomes.filter((o) => o.status === 'executed').map((o) => o.call_id);
  expect(executed).toEqual(['call-1', 'call-2', 'call-5', 'call-7']);
  expect(executed).toEqual(CALLED.flatMap((step, i) => (step.expected.executed ? [`call-${i + 1}`] : [])));
  // The manifest's two rules refuse a call each, and the run goes on: a second status change of INV-1001
  // (max_calls_per_resource) and the account's name as account_id (the account_id_format condition).
  expect(frameworkOutcomes.slice(2, 4)).toEqual([
    {
      call_id: 'call-3',
      tool: 'update_invoice_status',
      status: 'not_executed',
      decision: 'block',
      reasons: ['resource_call_limit_reached'],
    },
    {
      call_id: 'call-4',
      tool: 'update_invoice_status',
      status: 'not_executed',
      decision: 'block',
      reasons: ['condition_require:account_id_format'],
    },
  ]);
  expect(frameworkOutcomes.at(-1)).toMatchObject({
    call_id: 'call-8',
    tool: 'merge_crm_accounts',
    status: 'not_executed',
    decision: 'halt',
  });
}

function expectSameAuditTrail({ coreSink, framework, frameworkSink }: ParityRuns): void {
  const normalize = (sink: MemorySink) =>
    sink.events.map(({ ts, run_id, approval_id, action_hash, elapsed_ms, waited_ms, ...rest }) => rest);
  expect(normalize(frameworkSink)).toEqual(normalize(coreSink));
  expect(new Set(frameworkSink.events.map((event) => event.run_id))).toEqual(new Set([framework.runId]));
}

function expectSameBilling({ core, framework }: ParityRuns): void {
  expect(framework.billing.merged).toBe(false);
  expect([...framework.billing.invoices]).toEqual([...core.billing.invoices]);
  expect(framework.billing.flags).toEqual(core.billing.flags);
  expect(Object.fromEntries(framework.billing.invoices)).toEqual({
    'INV-1001': 'matched',
    'INV-1002': 'matched',
    'INV-1003': 'open',
  });
}

function expectSameRollback({ core, framework }: ParityRuns): void {
  expect(framework.rollback).toEqual(core.rollback);
  expect(framework.rollback?.manual_recovery.map((entry) => entry.call_id)).toEqual(['call-5', 'call-2']);
}

function expectSameSteps({ core, framework }: ParityRuns): void {
  const view = (steps: InvoiceRunReport['steps']) =>
    steps.map((step) => [
      step.tool,
      step.confidence,
      step.paused,
      step.decision.decision,
      step.decision.reasons,
      step.status,
      step.approval,
    ]);
  expect(view(framework.steps)).toEqual(view(core.steps));
  expect(framework.digest).toBe(core.digest);
  expect(framework.kid).toBe(core.kid);
}

/**
 * Registers the cases every framework shares with the reference (call it inside the test's
 * `describe`): decisions, approvals, outcomes, the audit trail, billing, the rollback report, the steps.
 */
export function itMatchesTheReference(runs: ParityRuns): void {
  it('records the same decisions, event for event: tool, decision, reasons and confidence, in call order', () =>
    expectSameDecisions(runs));
  it("records the same approvals: two requests, the reviewer's approve and deny, with who answered", () =>
    expectSameApprovals(runs));
  it('executes the same calls, refuses the same two, each call has exactly one outcome, and nothing runs after the halt', () =>
    expectSameOutcomes(runs));
  it('writes the same audit trail, event for event, tool outputs included, but for run ids and times', () =>
    expectSameAuditTrail(runs));
  it('leaves billing in the same state: two invoices matched, INV-1003 open and flagged, no merge', () =>
    expectSameBilling(runs));
  it('produces the same rollback report', () => expectSameRollback(runs));
  it("reports the same steps as the demo prints them, read back from ORBIT's audit events", () =>
    expectSameSteps(runs));
}

/**
 * The pauses answered in three invocations of the framework (pause at call-5, pause at call-6, halt
 * at the merge), each of the model's eight turns asked once, all in the one run of the thread.
 */
export function expectThreeInvocationsEachTurnOnce(framework: FrameworkReport, modelCalls: number): void {
  expect(framework.invocations).toBe(3);
  expect(modelCalls).toBe(8);
  expect(framework.model).toBe('scripted (offline)');
  expect(framework.runId).toBe(framework.threadId);
}

/** The two calls the manifest's rules refuse (steps 3 and 4), by the reason that fired. */
export const REFUSED_REASONS = [
  'resource_call_limit_reached',
  'condition_require:account_id_format',
] as const;

/** The refusal a framework gives the model for a blocked `update_invoice_status` call: ORBIT's own text. */
export const refusalMessage = (reason: string) =>
  `ORBIT did not run "update_invoice_status" (block: ${reason}). Do not retry the same call; continue with another step or flag it for human review.`;

/** The refusal as LangGraph's tool message and the OpenAI Agents tool output carry it (JSON). */
export const refusalJson = (reason: string) => ({
  refused: true,
  tool: 'update_invoice_status',
  decision: 'block',
  reasons: [reason],
  message: refusalMessage(reason),
});
