import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scripted-model.js';
import {
  Conversation,
  call,
  deploy,
  orbitVercelAi,
  parentWithResearcher,
  sdkTools,
} from '../test/support.js';
import { approvalResponse } from './index.js';

describe('sub-agent tools', () => {
  it("surfaces the sub-agent's request on the delegating call, signed, and resumes into the sub-agent", async () => {
    const { chat, sink, ran } = await parentWithResearcher({
      approvalSecret: 'a-secret-of-at-least-thirty-two-bytes!!',
    });
    const first = await chat.send();
    const request = first.content.find((p) => p.type === 'tool-approval-request');
    expect(request).toMatchObject({ toolCall: { toolCallId: 'p-research' }, signature: expect.any(String) });
    expect(request?.reason).toMatch(/^Sub-agent "researcher": ORBIT paused "send"/);
    const [pending, ...others] = await chat.pending();
    expect(others).toEqual([]);
    expect(pending).toMatchObject({
      toolCallId: 'p-research',
      orbit: { call_id: 'k-send', tool: 'send', depth: 1 },
    });
    expect(ran).toEqual(['read:r1']);

    await chat.send(chat.answered([approvalResponse(pending!, { type: 'approve', approver: 'lead' })]));
    expect(ran).toEqual(['read:r1', 'send:s1', 'read:r2', 'read:parent']);
    // The parent's model read the sub-agent's final answer as the delegating call's result.
    expect(JSON.stringify(chat.model.prompts.at(-1))).toContain('research done');
    const minted = sink.events.filter((e) => e.event === 'token' && e.token === 'minted');
    expect(minted).toHaveLength(1);
    const childDecisions = sink.events.filter(
      (e) => e.event === 'decision' && String(e.call_id).startsWith('k-'),
    );
    expect(childDecisions.map((e) => e.token_id)).toEqual([
      minted[0]!.token_id,
      minted[0]!.token_id,
      minted[0]!.token_id,
    ]);
    expect(
      sink.events
        .filter((e) => e.event === 'approval' && e.call_id === 'k-send')
        .map((e) => [e.approval, e.approver]),
    ).toEqual([
      ['requested', undefined],
      ['approve', 'lead'],
    ]);
  });

  it("gives a person's denial to the sub-agent, which goes on; the parent's model reads its result", async () => {
    const { chat, ran } = await parentWithResearcher();
    await chat.send();
    const [pending] = await chat.pending();
    await chat.send(chat.answered([approvalResponse(pending!, { type: 'deny', reason: 'not this one' })]));
    expect(ran).toEqual(['read:r1', 'read:r2', 'read:parent']);
    const seen = JSON.stringify(chat.model.prompts.at(-1));
    expect(seen).toContain('research done');
    expect(seen).not.toContain('execution-denied');
  });

  it('mints a token per delegating call: two calls, two tokens, neither the parent', async () => {
    const { orbit, sink } = await deploy();
    const { tools } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const researcher = orbitAi.agent({
      model: scriptedModel([[call('k-read', 'read', { id: 'r' })]], 'ok', 0, 'researcher'),
      tools: { read: tools.read! },
    });
    const chat = new Conversation(
      orbitAi,
      { research: orbitAi.subAgent(researcher, { profile: 'researcher', description: 'd' }) },
      [[call('p-1', 'research', { task: 'a' }), call('p-2', 'research', { task: 'b' })]],
    );
    await chat.send();
    const minted = sink.events.filter((e) => e.event === 'token' && e.token === 'minted');
    expect(minted).toHaveLength(2);
    expect(new Set(minted.map((e) => e.token_id)).size).toBe(2);
  });

  it('refuses a sub-agent that was not made by the binding (its tools would run unguarded)', async () => {
    const { orbit } = await deploy();
    const { ToolLoopAgent } = await import('ai');
    const plain = new ToolLoopAgent({ model: scriptedModel([]), tools: sdkTools().tools });
    expect(() =>
      orbitVercelAi(orbit).subAgent(plain as never, { profile: 'researcher', description: 'd' }),
    ).toThrow(/not made with orbitAi\.agent/);
  });
});
