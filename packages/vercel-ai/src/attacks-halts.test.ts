// Attacks and edge cases (from a review): halts must stop the loop: streaming agents, a person's stop_run while streaming.
import { isStepCount, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scripted-model.js';
import { Conversation, call, deploy, orbitVercelAi, sdkTools } from '../test/support.js';
import { approvalResponse, haltOf } from './index.js';

describe('halts', () => {
  it('ToolLoopAgent.stream: a blocked tool halts; no sibling and no later step runs; the stream reports the halt', async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([
      [call('c-merge', 'merge', { id: 'm' }), call('c-read', 'read', { id: 'r' })],
      [call('c-read2', 'read', { id: 'r2' })],
    ]);
    const agent = orbitAi.agent({
      model,
      tools: { ...tools, merge: tools.draft! },
      stopWhen: isStepCount(10),
    });
    const stream = await agent.stream({ prompt: 'go', options: { threadId: 'agent-stream-halt' } });
    const parts: { type: string; error?: unknown }[] = [];
    let iterated: unknown;
    try {
      for await (const part of stream.stream) parts.push(part as never);
    } catch (error) {
      iterated = error;
    }
    // Let anything still in flight settle before looking at what ran.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const steps = await stream.steps.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ran).toEqual([]);
    expect(model.prompts).toHaveLength(1);
    // The application can tell it halted: the result rejects with the RunHaltedError, or an error part carries it.
    const halt = haltOf(iterated) ?? haltOf(steps) ?? parts.map((p) => haltOf(p.error)).find(Boolean);
    expect(halt?.decision.reasons).toEqual(['tool_explicitly_blocked']);
  });

  it("streamText: a person's deny with stop_run halts before the model is asked", async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const chat = new Conversation(orbitAi, tools, [
      [call('c-send', 'send', { id: 's' }, 0.5)],
      [call('c-read', 'read', { id: 'r' })],
    ]);
    await chat.send();
    const [pending] = await chat.pending();
    const before = chat.model.prompts.length;
    const result = streamText({
      ...orbitAi.settings({
        threadId: chat.threadId,
        model: chat.model,
        tools,
        messages: chat.answered([approvalResponse(pending!, { type: 'deny', stop_run: true })]),
      }),
      stopWhen: isStepCount(5),
    });
    for await (const _ of result.stream);
    const error = await result.steps.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(haltOf(error)?.decision.reasons).toContain('approval_denied');
    expect(chat.model.prompts.length).toBe(before);
    expect(ran).toEqual([]);
  });
});

describe('a halt inside a tool, with a sibling call in the same step run after it', () => {
  const setUp = async () => {
    const { orbit } = await deploy();
    const orbitAi = orbitVercelAi(orbit);
    const { tool } = await import('ai');
    const { z } = await import('zod');
    const ran: string[] = [];
    const draft = tool({
      description: 'drafts, merging first through ORBIT',
      inputSchema: z.object({ id: z.string() }),
      execute: async () => {
        ran.push('draft');
        // A guarded call the tool makes itself, to a blocked tool: the run halts inside the tool.
        await orbit
          .startRun()
          .execute({ name: 'merge', input: z.object({}), execute: () => 'merged' }, { confidence: 1 });
        return 'drafted';
      },
    });
    const read = tool({
      description: 'read',
      inputSchema: z.object({ id: z.string() }),
      execute: async () => {
        ran.push('read');
        return 'read';
      },
    });
    const model = scriptedModel([
      [call('a-draft', 'draft', { id: 'd' }), call('a-read', 'read', { id: 'r' })],
    ]);
    return { orbitAi, ran, model, tools: { draft, read } };
  };

  it('generateText, one tool at a time: the sibling after the halting tool does not run', async () => {
    const { orbitAi, ran, model, tools } = await setUp();
    const { generateText } = await import('ai');
    const error = await generateText({
      ...orbitAi.settings({ threadId: 'h-seq', model, tools }),
      prompt: 'go',
      toolCallConcurrency: 1,
      stopWhen: isStepCount(5),
    }).catch((e: unknown) => e);
    expect(haltOf(error)).toBeDefined();
    expect(ran).toEqual(['draft']);
  });

  it('ToolLoopAgent, one tool at a time: the sibling after the halting tool does not run', async () => {
    const { orbitAi, ran, model, tools } = await setUp();
    const agent = orbitAi.agent({ model, tools, toolCallConcurrency: 1, stopWhen: isStepCount(5) });
    const error = await agent
      .generate({ prompt: 'go', options: { threadId: 'h-agent' } })
      .catch((e: unknown) => e);
    expect(haltOf(error)).toBeDefined();
    expect(ran).toEqual(['draft']);
  });
});
