// Attacks and edge cases (from a review): the token budget and halts under streamText and ToolLoopAgent.
import { isStepCount, streamText, type Tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scripted-model.js';
import { budget, call, deploy, orbitVercelAi, sdkTools, streamError } from '../test/support.js';
import { haltOf } from './index.js';

describe('budgets while streaming', () => {
  it('streamText: a response over a hard budget has its own calls halted in the same step (as generateText does)', async () => {
    const { orbit, sink } = await deploy(budget(100, 'hard'));
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel(
      [
        [call('c-read', 'read', { id: 'r1' })],
        [call('c-draft', 'draft', { id: 'd' })],
        [call('c-read2', 'read', { id: 'r2' })],
      ],
      'done',
      60,
    );
    const result = streamText({
      ...orbitAi.settings({ threadId: 't-stream-budget', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(10),
    });
    const error = await streamError(result);
    // Same scenario as budgets-and-agents.test.ts ("counts a response before its own calls are decided").
    expect(haltOf(error)?.decision.reasons).toContain('token_budget_exceeded');
    expect(sink.events.filter((e) => e.event === 'decision').map((e) => [e.call_id, e.decision])).toEqual([
      ['c-read', 'proceed'],
      ['c-draft', 'halt'],
    ]);
    expect(ran).toEqual(['read:r1']);
    expect(model.prompts).toHaveLength(2);
  });

  it('generateText: a final response over a hard budget (no tool calls) — the run is not left "over budget" silently', async () => {
    const { orbit } = await deploy(budget(100, 'hard'));
    const { tools } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([[call('c-read', 'read', { id: 'r1' })]], 'done', 60);
    const { generateText } = await import('ai');
    const outcome = await generateText({
      ...orbitAi.settings({ threadId: 't-final-over', model, tools }),
      prompt: 'go',
      stopWhen: isStepCount(10),
    }).then(
      () => 'resolved',
      (e: unknown) => (haltOf(e) ? 'halted' : 'rejected'),
    );
    // 120 tokens used on a hard budget of 100: informational — what does the application see?
    expect(orbitAi.runOf('t-final-over').ledger.tokens).toBe(120);
    expect(outcome).toBe('resolved');
  });
});

describe('budgets while streaming, with a provider that sends usage after the tool calls', () => {
  it('streamText: the calls of a response over a hard budget do not run (usage arrives in the finish part, after the calls)', async () => {
    const { orbit, sink } = await deploy(budget(100, 'hard'));
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const { MockLanguageModelV4 } = await import('ai/test');
    let turn = 0;
    const usage = {
      inputTokens: { total: 60, noCache: 60, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 0, text: 0, reasoning: 0 },
    };
    // As a real provider streams: the tool call first, the finish (with the usage) a moment later.
    // The finish waits until a tool ran (or 300 ms), so the order is the provider's, not the test's timing.
    let toolRan: () => void = () => {};
    const model = new MockLanguageModelV4({
      doStream: async () => {
        const t = turn++;
        const id = ['c-read', 'c-draft', 'c-read2'][t];
        const name = ['read', 'draft', 'read'][t];
        const ranOrLater = new Promise<void>((resolve) => {
          toolRan = resolve;
          setTimeout(resolve, 300);
        });
        const parts: unknown[] = [
          { type: 'stream-start', warnings: [] },
          { type: 'response-metadata', id: `resp-${t}`, modelId: 'm', timestamp: new Date(0) },
          id
            ? {
                type: 'tool-call',
                toolCallId: id,
                toolName: name,
                input: JSON.stringify({ id: `x${t}`, confidence: 0.99 }),
              }
            : { type: 'text-start', id: 't' },
        ];
        let i = 0;
        return {
          stream: new ReadableStream({
            async pull(controller) {
              if (i < parts.length) return controller.enqueue(parts[i++]);
              await ranOrLater;
              controller.enqueue({
                type: 'finish',
                finishReason: id
                  ? { unified: 'tool-calls', raw: 'tool_calls' }
                  : { unified: 'stop', raw: 'stop' },
                usage,
              });
              controller.close();
            },
          }) as never,
        };
      },
    });
    const counted = (name: string): Tool =>
      tools[name]!.execute
        ? ({
            ...tools[name]!,
            execute: async (input: never, options: never) => {
              const out = await tools[name]!.execute!(input, options);
              toolRan();
              return out;
            },
          } as Tool)
        : tools[name]!;
    const result = streamText({
      ...orbitAi.settings({
        threadId: 't-stream-budget-2',
        model,
        tools: { read: counted('read'), draft: counted('draft') },
      }),
      prompt: 'go',
      stopWhen: isStepCount(10),
    });
    const error = await streamError(result);
    // Expected as with generateText: 60 tokens, read runs; 120 tokens, the second response's draft halts.
    expect(haltOf(error)?.decision.reasons).toContain('token_budget_exceeded');
    expect(ran).toEqual(['read:x0']);
    expect(sink.events.filter((e) => e.event === 'decision').map((e) => [e.call_id, e.decision])).toEqual([
      ['c-read', 'proceed'],
      ['c-draft', 'halt'],
    ]);
  });
});

describe('usage of a model chosen per step', () => {
  it("prepareStep returning another model (the SDK's documented per-step model switch): its usage still counts", async () => {
    const { orbit } = await deploy(budget(100, 'hard'));
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const main = scriptedModel([[call('c-read', 'read', { id: 'r1' })]], 'done', 60);
    const cheap = scriptedModel(
      [
        [call('c-read', 'read', { id: 'r1' })],
        [call('c-draft', 'draft', { id: 'd' })],
        [call('c-read2', 'read', { id: 'r2' })],
      ],
      'done',
      60,
      'cheap',
    );
    const error = await (await import('ai'))
      .generateText({
        ...orbitAi.settings({
          threadId: 't-switch',
          model: main,
          tools,
          prepareStep: ({ stepNumber }) => (stepNumber > 0 ? { model: cheap } : undefined),
        }),
        prompt: 'go',
        stopWhen: isStepCount(10),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // 60 (main) + 60 (cheap) tokens: over the hard budget of 100 at the second response.
    expect(orbitAi.runOf('t-switch').ledger.tokens).toBeGreaterThanOrEqual(120);
    expect(haltOf(error)?.decision.reasons).toContain('token_budget_exceeded');
    expect(ran).toEqual(['read:r1']);
  });
});
