import { setUpTracing } from '@orbit-agents/example-support';
import { describe, expect, it } from 'vitest';
import { runInvoiceReconciliation } from './run-core.js';
import { runInvoiceReconciliationOnLangGraph, scriptedInvoiceModel } from './run-langgraph.js';
import { runInvoiceReconciliationOnOpenAIAgents, scriptedInvoiceAgentsModel } from './run-openai-agents.js';
import { runInvoiceReconciliationOnVercelAi, scriptedInvoiceAiModel } from './run-vercel-ai.js';

// The same trace whichever way the scenario runs: on the core alone, on LangChain createAgent + LangGraph,
// or on the Vercel AI SDK's generateText.
const runners = [
  ['core-only', runInvoiceReconciliation],
  [
    'LangGraph',
    (options: Parameters<typeof runInvoiceReconciliation>[0]) =>
      runInvoiceReconciliationOnLangGraph({ ...options, model: scriptedInvoiceModel() }),
  ],
  [
    'Vercel AI SDK',
    (options: Parameters<typeof runInvoiceReconciliation>[0]) =>
      runInvoiceReconciliationOnVercelAi({ ...options, model: scriptedInvoiceAiModel() }),
  ],
  [
    'OpenAI Agents SDK',
    (options: Parameters<typeof runInvoiceReconciliation>[0]) =>
      runInvoiceReconciliationOnOpenAIAgents({ ...options, model: scriptedInvoiceAgentsModel() }),
  ],
] as const;

describe.each(runners)(
  "the invoice example's trace (%s; real OpenTelemetry SDK, in-memory exporter)",
  async (_, run) => {
    const tracing = setUpTracing({ serviceName: 'test', memory: true });
    const report = await run({ telemetry: { tracer: tracing.tracer } });
    const spans = tracing.memory!.getFinishedSpans();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: (typeof spans)[number]) => byId.get(span.parentSpanContext?.spanId ?? '');
    const root = spans.find((span) => span.name === 'invoke_agent invoice-reconciliation-v2')!;

    it("is one tree: the run's invoke_agent span over one execute_tool span per call, and the rollback", () => {
      expect(root).toBeDefined();
      expect(root.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'invoice-reconciliation-v2',
        'orbit.run.id': report.runId,
        'orbit.manifest.digest': report.digest,
        'orbit.maturity_level': 3,
      });
      expect(root.status.code).toBe(2); // ERROR: the run halted
      const children = spans.filter((span) => parentOf(span) === root).map((span) => span.name);
      expect(children).toEqual([
        'execute_tool search_crm_accounts',
        'execute_tool update_invoice_status',
        'execute_tool update_invoice_status',
        'execute_tool update_invoice_status',
        'execute_tool update_invoice_status',
        'execute_tool update_invoice_status',
        'execute_tool flag_for_human_review',
        'execute_tool merge_crm_accounts',
        'orbit.rollback',
      ]);
      expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    });

    it("carries each call's decision, reasons, reversibility, confidence and outcome", () => {
      const calls = spans.filter((span) => span.name.startsWith('execute_tool'));
      expect(
        calls.map((span) => [
          span.attributes['orbit.decision'],
          span.attributes['orbit.confidence'],
          span.attributes['orbit.outcome.status'],
        ]),
      ).toEqual([
        ['proceed', 0.97, 'executed'],
        ['proceed', 0.93, 'executed'],
        ['block', 0.95, 'not_executed'],
        ['block', 0.95, 'not_executed'],
        ['proceed_with_log', 0.8, 'executed'],
        ['block', 0.65, 'not_executed'],
        ['proceed', 0.5, 'executed'],
        ['halt', 0.71, 'not_executed'],
      ]);
      // The manifest's two rules, each named on the span of the call it refused.
      expect(calls[2]!.attributes['orbit.reasons']).toEqual(['resource_call_limit_reached']);
      expect(calls[3]!.attributes['orbit.reasons']).toEqual(['condition_require:account_id_format']);
      expect(calls[5]!.attributes['orbit.reasons']).toEqual(['confidence_below_floor', 'approval_denied']);
      expect(calls[7]!.attributes['orbit.reasons']).toEqual(['tool_explicitly_blocked']);
      expect(calls[7]!.status.code).toBe(2);
      for (const span of calls) {
        expect(span.attributes['gen_ai.operation.name']).toBe('execute_tool');
        expect(span.attributes['gen_ai.tool.call.id']).toMatch(/^call-\d+$/);
        expect(span.attributes['orbit.manifest.digest']).toBe(report.digest);
      }
      expect(calls[1]!.attributes).toMatchObject({
        'orbit.reversibility': 'partial',
        'orbit.records': 1,
        'orbit.budget.calls_remaining': 99,
      });
      // The escalation has a tier of its own on its span too.
      expect(calls[6]!.attributes).toMatchObject({
        'gen_ai.tool.name': 'flag_for_human_review',
        'orbit.reversibility': 'escalation',
      });
    });

    it('shows waiting for approval as its own span, with the answer, who gave it and how long it took', () => {
      const waits = spans.filter((span) => span.name === 'orbit.await_approval update_invoice_status');
      expect(waits.map((span) => parentOf(span)?.attributes['orbit.confidence'])).toEqual([0.8, 0.65]);
      expect(waits.map((span) => span.attributes['orbit.approval.answer'])).toEqual(['approve', 'deny']);
      const approved = parentOf(waits[0]!)!;
      expect(approved.attributes['orbit.approval.approver']).toBe('maria@finance (scripted)');
      expect(typeof approved.attributes['orbit.approval.wait_ms']).toBe('number');
      expect(approved.events.map((event) => event.name)).toContain('orbit.approval.answered');
    });

    it('keeps tool inputs and outputs off spans unless asked', () => {
      for (const span of spans) {
        expect(span.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
        expect(span.attributes['gen_ai.tool.call.result']).toBeUndefined();
      }
    });

    it('shows the rollback, one span event per action', () => {
      const rollback = spans.find((span) => span.name === 'orbit.rollback')!;
      expect(rollback.events.map((event) => event.attributes?.['orbit.rollback.result'])).toEqual([
        'manual_recovery',
        'manual_recovery',
      ]);
    });
  },
);
