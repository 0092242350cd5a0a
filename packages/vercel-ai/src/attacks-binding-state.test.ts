// Attacks and edge cases (from a review): state the binding keeps across threads and calls.
import { generateText, isStepCount, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from '../test/scripted-model.js';
import { Conversation, call, deploy, orbitVercelAi } from '../test/support.js';
import { approvalResponse } from './index.js';

describe('one binding, two tool sets with a same-named tool', () => {
  it("thread A's resume is not read with thread B's tool of the same name", async () => {
    const { orbit } = await deploy();
    const orbitAi = orbitVercelAi(orbit);
    const ranA: unknown[] = [];
    // Route A: an "update" whose schema fills a default; route B: another "update" (another agent, same name).
    const updateA = tool({
      description: 'update (A)',
      inputSchema: z.object({ id: z.string(), note: z.string().default('n') }),
      execute: async (input) => {
        ranA.push(input);
        return 'A ok';
      },
    });
    const updateB = tool({
      description: 'update (B)',
      inputSchema: z.object({ id: z.string() }),
      execute: async () => 'B ok',
    });
    const a = new Conversation(
      orbitAi,
      { update: updateA },
      [[call('a-1', 'update', { id: 'u' }, 0.8)]],
      'thread-A',
    );
    await a.send();
    const [pending] = await a.pending();
    expect(pending?.orbit.call_id).toBe('a-1');
    // Thread A's resume starts (settings() is called), and before the SDK reads its answers another
    // request, on another thread, starts with its own "update" (two requests on one server, interleaved).
    const resumeA = orbitAi.settings({
      threadId: 'thread-A',
      model: a.model,
      tools: { update: updateA },
      messages: a.answered([approvalResponse(pending!, { type: 'approve' })]),
    });
    orbitAi.settings({ threadId: 'thread-B', model: scriptedModel([]), tools: { update: updateB } });
    const outcome = await generateText({ ...resumeA, stopWhen: isStepCount(5) }).then(
      () => 'resolved',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    expect(outcome).toBe('resolved');
    expect(ranA).toEqual([{ id: 'u', note: 'n' }]);
  });
});

describe('settings() reused across calls', () => {
  it('one settings() object spread into two generateText calls: the second is refused with a clear error, nothing runs', async () => {
    const { orbit } = await deploy();
    const orbitAi = orbitVercelAi(orbit);
    const ran: string[] = [];
    const send = tool({
      description: 'send',
      inputSchema: z.object({ id: z.string() }),
      execute: async ({ id }) => {
        ran.push(id);
        return 'sent';
      },
    });
    const model = scriptedModel([[call('c-send', 'send', { id: 's' }, 0.5)]]);
    const settings = orbitAi.settings({ threadId: 'reuse', model, tools: { send } });
    const messages = [{ role: 'user' as const, content: 'go' }];
    const first = await generateText({ ...settings, messages, stopWhen: isStepCount(5) });
    const all = [...messages, ...first.responseMessages];
    const [pending] = await orbitAi.pendingApprovals({ threadId: 'reuse', messages: all, tools: { send } });
    const second = await generateText({
      ...settings,
      messages: [...all, { role: 'tool', content: [approvalResponse(pending!, { type: 'approve' })] }],
      stopWhen: isStepCount(5),
    }).then(
      (r) => r,
      (e: Error) => e,
    );
    // settings() serve one call: reused, they are refused with a clear error (fail closed: nothing ran).
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toMatch(
      /settings\(\) were already used .* make new settings\(\) for each call/,
    );
    expect(ran).toEqual([]);
  });
});
