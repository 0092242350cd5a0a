// Attacks and edge cases (from a review): paths by which the SDK might run a tool, and how each meets ORBIT.
import { dynamicTool, generateText, isStepCount, jsonSchema, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from '../test/scripted-model.js';
import { call, deploy, orbitVercelAi, sdkTools } from '../test/support.js';

const decisionsOf = (sink: { events: readonly Record<string, unknown>[] }, callId?: string) =>
  sink.events.filter((e) => e.event === 'decision' && (callId === undefined || e.call_id === callId));

describe('tool names and repairs', () => {
  it('a tool name not in the tool set is a tool error for the model; the loop goes on', async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([[call('c-x', 'nope', { id: 'x' })], [call('c-read', 'read', { id: 'r' })]]);
    const result = await generateText({
      ...orbitAi.settings({ threadId: 't-unknown', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(5),
    });
    expect(result.steps[0]!.content.some((p) => p.type === 'tool-error')).toBe(true);
    expect(ran).toEqual(['read:r']);
  });

  it('repairToolCall renaming an unknown tool to a paused one: the repaired call is gated (paused), not run', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([[call('c-x', 'sendd', { id: 's' }, 0.5)]]);
    const result = await generateText({
      ...orbitAi.settings({ threadId: 't-repair', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(5),
      experimental_repairToolCall: async ({ toolCall }) => ({ ...toolCall, toolName: 'send' }),
    });
    expect(ran).toEqual([]);
    expect(result.content.some((p) => p.type === 'tool-approval-request')).toBe(true);
    expect(decisionsOf(sink, 'c-x')).toMatchObject([{ tool: 'send', decision: 'pause' }]);
  });

  it('activeTools hiding a tool: a call to it does not run and is not decided', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([[call('c-u', 'update', { id: 'u' })]]);
    await generateText({
      ...orbitAi.settings({ threadId: 't-active', model, tools }),
      prompt: 'go',
      activeTools: ['read'],
      stopWhen: isStepCount(3),
    });
    expect(ran).toEqual([]);
    expect(decisionsOf(sink, 'c-u')).toEqual([]);
  });

  it('a dynamicTool is gated like any other (paused below its threshold)', async () => {
    const { orbit, sink } = await deploy();
    const orbitAi = orbitVercelAi(orbit);
    let ran = 0;
    const send = dynamicTool({
      description: 'send',
      inputSchema: z.object({ id: z.string() }),
      execute: async () => {
        ran++;
        return 'sent';
      },
    });
    const model = scriptedModel([[call('c-send', 'send', { id: 's' }, 0.5)]]);
    const result = await generateText({
      ...orbitAi.settings({ threadId: 't-dyn', model, tools: { send } }),
      prompt: 'go',
      stopWhen: isStepCount(3),
    });
    expect(ran).toBe(0);
    expect(result.content.some((p) => p.type === 'tool-approval-request')).toBe(true);
    expect(decisionsOf(sink, 'c-send')).toMatchObject([{ decision: 'pause' }]);
  });

  it('a jsonSchema tool (with its own validate) with bad arguments does not run', async () => {
    const { orbit } = await deploy();
    const orbitAi = orbitVercelAi(orbit);
    let ran = 0;
    const read = tool({
      description: 'read',
      inputSchema: jsonSchema<{ id: string }>(
        { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        {
          validate: (value) =>
            typeof (value as { id?: unknown }).id === 'string'
              ? { success: true, value: value as { id: string } }
              : { success: false, error: new Error('id must be a string') },
        },
      ),
      execute: async () => {
        ran++;
        return 'ok';
      },
    });
    const model = scriptedModel([[call('c-read', 'read', { id: 7 })]]);
    await generateText({
      ...orbitAi.settings({ threadId: 't-json', model, tools: { read } }),
      prompt: 'go',
      stopWhen: isStepCount(3),
    });
    expect(ran).toBe(0);
  });
});

describe('call ids (ORBIT names a call by its id: providers give unique ones)', () => {
  it('two calls with the same id in one step (other arguments): refused, fail closed, nothing runs twice', async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([[call('dup', 'read', { id: 'a' }), call('dup', 'read', { id: 'b' })]]);
    const outcome = await generateText({
      ...orbitAi.settings({ threadId: 't-dup', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(3),
    }).then(
      () => undefined,
      (error: Error & { code?: string }) => error.code,
    );
    expect(outcome).toBe('ERR_CALL_ID_REUSED');
    expect(ran).toEqual([]);
  });

  it('an id used again on a later turn with the same arguments is the same call: its recorded result (a replay)', async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([
      [call('call_0', 'read', { id: 'r' })],
      [call('call_0', 'read', { id: 'r' })],
    ]);
    await generateText({
      ...orbitAi.settings({ threadId: 't-reuse', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(5),
    });
    expect(ran).toEqual(['read:r']);
    expect(JSON.stringify(model.prompts.at(-1))).toContain('read ok r');
  });

  it('an id used again on a later turn with other arguments: refused (ERR_CALL_ID_REUSED), the second does not run', async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([
      [call('call_0', 'read', { id: 'a' })],
      [call('call_0', 'read', { id: 'b' })],
    ]);
    const outcome = await generateText({
      ...orbitAi.settings({ threadId: 't-reuse2', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(5),
    }).then(
      () => undefined,
      (error: Error & { code?: string }) => error.code,
    );
    expect(outcome).toBe('ERR_CALL_ID_REUSED');
    expect(ran).toEqual(['read:a']);
  });
});

describe('streaming order', () => {
  it('streamText: a halting call first in a batch stops a later sibling from running', async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([
      [call('c-merge', 'merge', { id: 'm' }), call('c-read', 'read', { id: 'r' })],
    ]);
    const result = streamText({
      ...orbitAi.settings({ threadId: 't-s-halt', model, tools: { ...tools, merge: tools.draft! } }),
      prompt: 'go',
      stopWhen: isStepCount(5),
    });
    for await (const _ of result.stream);
    await Promise.resolve(result.steps).catch(() => undefined);
    expect(ran).toEqual([]);
  });
});

describe('decided calls the SDK then does not run', () => {
  it('a response cut off (finishReason length) with a tool call: the decided call gets an outcome (not left open)', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const { MockLanguageModelV4 } = await import('ai/test');
    const model = new MockLanguageModelV4({
      doGenerate: async () => ({
        content: [
          {
            type: 'tool-call',
            toolCallId: 'c-cut',
            toolName: 'read',
            input: JSON.stringify({ id: 'r', confidence: 0.99 }),
          },
        ],
        finishReason: { unified: 'length', raw: 'length' },
        usage: {
          inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 1, text: 1, reasoning: 0 },
        },
        warnings: [],
      }),
    });
    await generateText({
      ...orbitAi.settings({ threadId: 't-cut', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(3),
    });
    await orbitAi.endRun('t-cut');
    expect(ran).toEqual([]);
    const decided = sink.events.filter((e) => e.event === 'decision' && e.call_id === 'c-cut');
    const outcomes = sink.events.filter((e) => e.event === 'outcome' && e.call_id === 'c-cut');
    // Either not decided at all, or decided and closed with a not_executed outcome.
    expect(decided.length === 0 || outcomes.length === 1).toBe(true);
  });
});
