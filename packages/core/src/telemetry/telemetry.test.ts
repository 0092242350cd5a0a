import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approveAll, countingTool, orbitOf } from '../../test/support.js';
import { defineTool } from '../run/define-tool.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
function sdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { exporter, tracer: provider.getTracer('test') };
}

describe('OpenTelemetry spans', () => {
  it("nest the tool's own spans under its execute_tool span, and the run under the application's active span", async () => {
    const { exporter, tracer } = sdk();
    const { orbit } = await orbitOf({}, { telemetry: { tracer } });
    const tool = defineTool({
      name: 'update',
      input: z.object({}),
      execute: () => tracer.startActiveSpan('http POST /billing', (span) => span.end()),
    });
    await tracer.startActiveSpan('app request', async (appSpan) => {
      const run = orbit.startRun();
      await run.execute(tool, { confidence: 0.95 });
      await run.end();
      appSpan.end();
    });
    const spans = exporter.getFinishedSpans();
    const id = (name: string) => spans.find((span) => span.name === name)!.spanContext().spanId;
    const parent = (name: string) => spans.find((span) => span.name === name)!.parentSpanContext?.spanId;
    expect(parent('http POST /billing')).toBe(id('execute_tool update'));
    expect(parent('execute_tool update')).toBe(id('invoke_agent test-agent'));
    expect(parent('invoke_agent test-agent')).toBe(id('app request'));
  });

  it('puts inputs and outputs on spans only when asked, through the redaction hook', async () => {
    const { exporter, tracer } = sdk();
    const redact = (value: unknown, { field }: { field: string }) =>
      field === 'input' ? { id: '[redacted]' } : value;
    const { orbit } = await orbitOf(
      {},
      { telemetry: { tracer, recordInputs: true, recordOutputs: true }, redact },
    );
    const run = orbit.startRun();
    await run.execute(countingTool('update'), { id: 'secret-id', confidence: 0.95 });
    const span = exporter.getFinishedSpans().find((s) => s.name === 'execute_tool update')!;
    expect(span.attributes['gen_ai.tool.call.arguments']).toBe('{"id":"[redacted]"}');
    expect(span.attributes['gen_ai.tool.call.result']).toBe('{"id":"secret-id"}');
  });

  it('records approval wait and answer, and budgets remaining', async () => {
    const { exporter, tracer } = sdk();
    const { orbit } = await orbitOf({}, { telemetry: { tracer }, approvalHandler: approveAll });
    const run = orbit.startRun();
    run.recordUsage({ tokens: 1_000 });
    await run.execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    const spans = exporter.getFinishedSpans();
    const call = spans.find((s) => s.name === 'execute_tool update')!;
    expect(call.attributes).toMatchObject({
      'orbit.decision': 'proceed_with_log',
      'orbit.approval.answer': 'approve',
      'orbit.approval.approver': 'tester',
      'orbit.budget.tokens_remaining': 79_000,
      'orbit.budget.records_remaining': 200,
      'orbit.budget.calls_remaining': 50,
    });
    const wait = spans.find((s) => s.name === 'orbit.await_approval update')!;
    expect(wait.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
  });

  it("costs nothing visible without an SDK: the API's no-op tracer", async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    expect(trace.getActiveSpan()).toBeUndefined();
    expect((await run.execute(countingTool('update'), { id: 'a', confidence: 0.95 })).status).toBe(
      'executed',
    );
  });
});
