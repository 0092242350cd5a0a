// Attacks and edge cases (from a review): no trust token (a JWT) in spans, messages, results or pending approvals.
import { OpenTelemetry } from '@ai-sdk/otel';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { generateText, isStepCount, registerTelemetry } from 'ai';
import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scripted-model.js';
import { call, deploy, orbitVercelAi, sdkTools } from '../test/support.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

describe('tokens', () => {
  it('no JWT in any span attribute, the response messages, the result or the pending approvals of a sub-agent pause', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer(
      't',
    );
    registerTelemetry(new OpenTelemetry({ tracer }));
    const { orbit, sink } = await deploy({}, { telemetry: { tracer } });
    const { tools } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const researcher = orbitAi.agent({
      model: scriptedModel(
        [[call('k-read', 'read', { id: 'k' }), call('k-send', 'send', { id: 's' }, 0.5)]],
        'found',
        0,
        'researcher',
      ),
      tools: { read: tools.read!, send: tools.send! },
      stopWhen: isStepCount(5),
    });
    const parentTools = {
      research: orbitAi.subAgent(researcher, { profile: 'researcher', description: 'r' }),
    };
    const model = scriptedModel([[call('p-r', 'research', { task: 't' })]]);
    const result = await generateText({
      ...orbitAi.settings({ threadId: 'leak', model, tools: parentTools }),
      prompt: 'go',
      stopWhen: isStepCount(5),
      telemetry: { recordInputs: true, recordOutputs: true, includeRuntimeContext: {} as never },
    });
    const pending = await orbitAi.pendingApprovals({
      threadId: 'leak',
      messages: [{ role: 'user', content: 'go' }, ...result.responseMessages],
      tools: parentTools,
    });
    expect(pending).toHaveLength(1);
    expect(sink.events.some((e) => e.event === 'token' && e.token === 'minted')).toBe(true);
    const spans = exporter.getFinishedSpans().map((s) => JSON.stringify(s.attributes));
    expect(spans.length).toBeGreaterThan(0);
    for (const text of [
      ...spans,
      JSON.stringify(result.responseMessages),
      JSON.stringify(result.content),
      JSON.stringify(pending),
      JSON.stringify(sink.events),
    ])
      expect(text).not.toMatch(JWT);
  });
});
