// ORBIT's spans and the SDK's own (`@ai-sdk/otel`) in one trace: the combined tree.
import { OpenTelemetry } from '@ai-sdk/otel';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { generateText, isStepCount, registerTelemetry, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from '../test/scripted-model.js';
import { call, deploy, orbitVercelAi } from '../test/support.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

describe('spans with the SDK telemetry registered', () => {
  it('puts ORBIT spans and the SDK spans in one trace, each nested where it belongs', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer(
      'test',
    );
    registerTelemetry(new OpenTelemetry({ tracer }));
    const { orbit } = await deploy({}, { telemetry: { tracer } });
    const orbitAi = orbitVercelAi(orbit);
    const make = (name: string) =>
      tool({
        description: name,
        inputSchema: z.object({ id: z.string() }),
        // The tool's own instrumentation (an HTTP client, a database driver).
        execute: async ({ id }) =>
          tracer.startActiveSpan(`http ${name}`, (span) => {
            span.end();
            return `${name} ok ${id}`;
          }),
      });
    const researcher = orbitAi.agent({
      model: scriptedModel([[call('k-read', 'read', { id: 'k' })]], 'found', 0, 'researcher'),
      tools: { read: make('read') },
    });
    const tools = {
      read: make('read'),
      research: orbitAi.subAgent(researcher, { profile: 'researcher', description: 'research' }),
    };
    const model = scriptedModel([
      [call('c-read', 'read', { id: 'r' }), call('c-research', 'research', { task: 't' })],
    ]);
    await tracer.startActiveSpan('request', async (request) => {
      await generateText({
        ...orbitAi.settings({ threadId: 'traced', model, tools }),
        prompt: 'go',
        stopWhen: isStepCount(5),
      });
      request.end();
    });
    await orbitAi.endRun('traced');

    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '');
    const requestSpan = spans.find((s) => s.name === 'request')!;
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(
      new Set([requestSpan.spanContext().traceId]),
    );

    // The SDK's tree: the tool's own span under the SDK's execute_tool span of its call.
    const sdkTool = spans.find(
      (s) =>
        s.name === 'execute_tool read' &&
        s.attributes['gen_ai.tool.call.id'] === 'c-read' &&
        s.attributes['orbit.decision'] === undefined,
    )!;
    expect(sdkTool).toBeDefined();
    const http = spans.filter((s) => s.name === 'http read');
    expect(http.map((s) => parentOf(s)?.attributes['gen_ai.tool.call.id'])).toContain('c-read');
    expect(parentOf(http.find((s) => parentOf(s) === sdkTool)!)).toBe(sdkTool);

    // ORBIT's tree: the run under the request, each call's decision span under the run.
    const orbitCall = spans.find(
      (s) => s.attributes['orbit.decision'] !== undefined && s.attributes['gen_ai.tool.call.id'] === 'c-read',
    )!;
    expect(orbitCall.attributes['orbit.decision']).toBe('proceed');
    const orbitRun = parentOf(orbitCall)!;
    expect(orbitRun.attributes['orbit.run.id']).toBe('traced');
    expect(parentOf(orbitRun)).toBe(requestSpan);
    // ORBIT's span and the SDK's span of the same call are linked, both ways.
    expect(orbitCall.links.map((link) => link.context.spanId)).toContain(sdkTool.spanContext().spanId);
    expect(sdkTool.links.map((link) => link.context.spanId)).toContain(orbitCall.spanContext().spanId);

    // The sub-agent: its ORBIT run nests under the parent's spawn, its calls under its run.
    const childCall = spans.find(
      (s) => s.attributes['orbit.decision'] !== undefined && s.attributes['gen_ai.tool.call.id'] === 'k-read',
    )!;
    const childRun = parentOf(childCall)!;
    expect(childRun.attributes['orbit.run.parent_id']).toBe('traced');
    let ancestor: ReadableSpan | undefined = childRun;
    while (ancestor && ancestor !== orbitRun) ancestor = parentOf(ancestor);
    expect(ancestor).toBe(orbitRun);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
