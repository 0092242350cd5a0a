// Usage feeds the token budget as each response arrives; halts stop the loop at once; ToolLoopAgent.
import { isStepCount, tool } from 'ai';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from '../test/scripted-model.js';
import { budget, Conversation, call, deploy, orbitVercelAi, sdkTools } from '../test/support.js';
import { approvalResponse, haltOf } from './index.js';

describe('usage and the token budget', () => {
  it('counts a response before its own calls are decided: over a hard budget they halt in the same step', async () => {
    const { orbit, sink } = await deploy(budget(100, 'hard'));
    const { tools, ran } = sdkTools();
    const chat = new Conversation(
      orbitVercelAi(orbit),
      tools,
      [
        [call('c-read', 'read', { id: 'r1' })],
        [call('c-draft', 'draft', { id: 'd' })],
        [call('c-read2', 'read', { id: 'r2' })],
      ],
      'thread-hard',
      60,
    );
    const error = await chat.send().catch((caught: unknown) => caught);
    // 60 tokens: the first call runs; 120: the second response's own call halts, before the model is asked again.
    expect(haltOf(error)?.decision.reasons).toContain('token_budget_exceeded');
    expect(ran).toEqual(['read:r1']);
    expect(chat.model.prompts).toHaveLength(2);
    expect(sink.events.filter((e) => e.event === 'decision').map((e) => [e.call_id, e.decision])).toEqual([
      ['c-read', 'proceed'],
      ['c-draft', 'halt'],
    ]);
  });

  it('pauses the call of a response over a soft budget; the answer extends the budget and the call runs', async () => {
    const { orbit } = await deploy(budget(100, 'soft'));
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const chat = new Conversation(
      orbitAi,
      tools,
      [[call('c-r1', 'read', { id: 'r1' })], [call('c-draft', 'draft', { id: 'd' })]],
      'thread-soft',
      60,
    );
    await chat.send();
    const [pending] = await chat.pending();
    expect(pending?.orbit).toMatchObject({
      call_id: 'c-draft',
      reasons: expect.arrayContaining(['token_budget_exceeded']),
    });
    expect(ran).toEqual(['read:r1']);
    await chat.send(
      chat.answered([approvalResponse(pending!, { type: 'approve', extend_budget: { tokens: 1000 } })]),
    );
    expect(ran).toEqual(['read:r1', 'draft:d']);
    expect(orbitAi.runOf('thread-soft').ledger.tokens).toBe(180);
  });
});

describe('ToolLoopAgent under ORBIT', () => {
  it('guards the agent tools per call thread, and pauses and resumes the agent way', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const agent = orbitAi.agent({
      model: scriptedModel(
        [[call('a-read', 'read', { id: 'r' }), call('a-send', 'send', { id: 's' }, 0.5)]],
        'all done',
      ),
      tools,
      stopWhen: isStepCount(10),
    });
    const messages = [{ role: 'user' as const, content: 'go' }];
    const first = await agent.generate({ messages, options: { threadId: 'agent-thread' } });
    expect(ran).toEqual(['read:r']);
    const all = [...messages, ...first.responseMessages];
    const [pending] = await orbitAi.pendingApprovals({ threadId: 'agent-thread', messages: all, tools });
    expect(pending?.orbit).toMatchObject({ tool: 'send', run_id: 'agent-thread' });
    const done = await agent.generate({
      messages: [
        ...all,
        { role: 'tool', content: [approvalResponse(pending!, { type: 'approve' }) as never] },
      ],
      options: { threadId: 'agent-thread' },
    });
    expect(done.text).toBe('all done');
    expect(ran).toEqual(['read:r', 'send:s']);
    expect(new Set(sink.events.filter((e) => e.event === 'decision').map((e) => e.run_id))).toEqual(
      new Set(['agent-thread']),
    );
  });

  it('stops the agent at the next step when a tool halts inside it: the model is not asked again', async () => {
    const { orbit } = await deploy();
    const orbitAi = orbitVercelAi(orbit);
    const merge = orbitAi.tool({ name: 'merge', input: z.object({}), execute: () => 'merged' } as never);
    let inner = 0;
    const draft = tool({
      description: 'drafts, merging first through ORBIT',
      inputSchema: z.object({ id: z.string() }),
      execute: async () => {
        inner++;
        // A guarded call the tool makes itself, to a blocked tool: the run halts inside the tool.
        await orbit
          .startRun()
          .execute({ name: 'merge', input: z.object({}), execute: () => 'merged' }, { confidence: 1 });
        return 'drafted';
      },
    });
    const model = scriptedModel([
      [call('a-draft', 'draft', { id: 'd' })],
      [call('a-read', 'read', { id: 'r' })],
    ]);
    const agent = orbitAi.agent({ model, tools: { draft, merge }, stopWhen: isStepCount(10) });
    const error = await agent
      .generate({ prompt: 'go', options: { threadId: 'agent-halt' } })
      .catch((caught: unknown) => caught);
    expect(haltOf(error)?.decision.reasons).toEqual(['tool_explicitly_blocked']);
    expect(inner).toBe(1);
    expect(model.prompts).toHaveLength(1);
  });

  it('needs a thread: a call without one is refused with a message naming the option', async () => {
    const { orbit } = await deploy();
    const orbitAi = orbitVercelAi(orbit);
    const agent = orbitAi.agent({ model: scriptedModel([]), tools: sdkTools().tools });
    await expect(agent.generate({ prompt: 'go', options: undefined })).rejects.toThrow(/threadId/);
  });
});

describe('one decision per call, read once', () => {
  it("execute uses the decision toolApproval made for the same input: the run's guard is asked once per call", async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const chat = new Conversation(orbitAi, tools, [
      [call('c-1', 'read', { id: 'a' }), call('c-2', 'draft', { id: 'b' })],
    ]);
    const run = orbitAi.runOf(chat.threadId);
    const guard = vi.spyOn(run, 'guard');
    await chat.send();
    expect(ran).toEqual(['read:a', 'draft:b']);
    expect(guard.mock.calls.map(([request]) => request.callId)).toEqual(['c-1', 'c-2']);
  });
});
