// Attacks and edge cases (from a review): the sub-agent round trip under pressure.
import { isStepCount, type ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import type { ScriptedToolCall } from '../test/scripted-model.js';
import { scriptedModel } from '../test/scripted-model.js';
import {
  Conversation,
  call,
  deploy,
  orbitVercelAi,
  parentWithResearcher,
  sdkTools,
} from '../test/support.js';
import { approvalResponse, haltOf } from './index.js';

/** The parent and its researcher, with the sub-agent's and the parent's scripts. */
const setUp = (childTurns: ScriptedToolCall[][], parentTurns: ScriptedToolCall[][]) =>
  parentWithResearcher({ childTurns, parentTurns });

describe('sub-agent round trips', () => {
  it('two delegating calls paused in one step: both surface, both answers resume their own sub-agent', async () => {
    const { chat, ran } = await setUp(
      [[call('k-send', 'send', { id: 's' }, 0.5)]],
      [[call('p-1', 'research', { task: 'a' }), call('p-2', 'research', { task: 'b' })]],
    );
    await chat.send();
    const pending = await chat.pending();
    expect(pending.map((p) => p.toolCallId)).toEqual(['p-1', 'p-2']);
    await chat.send(chat.answered(pending.map((p) => approvalResponse(p, { type: 'approve' }))));
    expect(ran).toEqual(['send:s', 'send:s']);
    expect(JSON.stringify(chat.model.prompts.at(-1))).toContain('research done');
  });

  it('a sub-agent that pauses on two calls in one step: both requests can be answered, both calls run', async () => {
    const { chat, ran, sink } = await setUp(
      [[call('k-send1', 'send', { id: 's1' }, 0.5), call('k-send2', 'send', { id: 's2' }, 0.5)]],
      [[call('p-research', 'research', { task: 'x' })]],
    );
    await chat.send();
    for (let round = 0; round < 3; round++) {
      const pending = await chat.pending();
      if (pending.length === 0) break;
      await chat
        .send(chat.answered(pending.map((p) => approvalResponse(p, { type: 'approve' }))))
        .catch(() => undefined);
    }
    const requested = sink.events.filter((e) => e.event === 'approval' && e.approval === 'requested');
    const answered = sink.events.filter((e) => e.event === 'approval' && e.approval !== 'requested');
    // Every request ORBIT raised is answered, or at least still visible to the application.
    expect(answered.length).toBe(requested.length);
    expect(ran.sort()).toEqual(['send:s1', 'send:s2']);
  });

  it('an answer bound to the wrong action hash on a sub-agent request is refused and the request stays pending (as at the top)', async () => {
    const { chat, ran } = await setUp(
      [[call('k-send', 'send', { id: 's' }, 0.5)]],
      [[call('p-research', 'research', { task: 'x' })]],
    );
    await chat.send();
    const [pending] = await chat.pending();
    const wrong = approvalResponse(
      { approvalId: pending!.approvalId, orbit: { action_hash: 'sha256:0000' } },
      { type: 'approve' },
    );
    await chat.send(chat.answered([wrong])).catch(() => undefined);
    expect(ran).toEqual([]);
    // The request must still be answerable.
    const after = await chat.orbitAi.pendingApprovals({
      threadId: chat.threadId,
      messages: chat.answered([wrong]).slice(0, -1),
      tools: chat.tools,
    });
    expect(after.map((p) => p.orbit.call_id)).toEqual(['k-send']);
    // And the parent's model was not told that the sub-agent failed.
    expect(JSON.stringify(chat.model.prompts.at(-1) ?? [])).not.toContain('HASH_MISMATCH');
  });

  it('concurrent resumes of a sub-agent request: the paused call runs once, both resumes succeed', async () => {
    const { chat, ran } = await setUp(
      [[call('k-send', 'send', { id: 's' }, 0.5)]],
      [[call('p-research', 'research', { task: 'x' })]],
    );
    await chat.send();
    const [pending] = await chat.pending();
    const answered = chat.answered([approvalResponse(pending!, { type: 'approve' })]);
    const outcomes = await Promise.all([
      chat.send(answered).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
      chat.send(answered).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    ]);
    expect(outcomes).toEqual(['ok', 'ok']);
    expect(ran).toEqual(['send:s']);
  });

  it("a person's deny with stop_run on a sub-agent request halts the whole run; nothing further runs", async () => {
    const { chat, ran } = await setUp(
      [[call('k-send', 'send', { id: 's' }, 0.5)], [call('k-read', 'read', { id: 'child' })]],
      [[call('p-research', 'research', { task: 'x' })], [call('p-read', 'read', { id: 'parent' })]],
    );
    await chat.send();
    const [pending] = await chat.pending();
    const error = await chat
      .send(chat.answered([approvalResponse(pending!, { type: 'deny', stop_run: true })]))
      .catch((e: unknown) => e);
    expect(haltOf(error)).toBeDefined();
    expect(ran).toEqual([]);
    // The thread's next call halts too.
    const next = await chat
      .send([{ role: 'user', content: 'again' } as ModelMessage])
      .catch((e: unknown) => e);
    expect(haltOf(next)).toBeDefined();
  });

  it('an edit of a sub-agent request runs the child call with the edited arguments', async () => {
    const { chat, ran } = await setUp(
      [[call('k-send', 'send', { id: 's' }, 0.5)]],
      [[call('p-research', 'research', { task: 'x' })]],
    );
    await chat.send();
    const [pending] = await chat.pending();
    await chat.send(chat.answered([approvalResponse(pending!, { type: 'edit', args: { id: 'edited' } })]));
    expect(ran).toEqual(['send:edited']);
  });

  it('a sub-agent that pauses a second time after an answer: that call is not run, the parent model is told', async () => {
    const { chat, ran } = await setUp(
      [[call('k-send1', 'send', { id: 's1' }, 0.5)], [call('k-send2', 'send', { id: 's2' }, 0.5)]],
      [[call('p-research', 'research', { task: 'x' })]],
    );
    await chat.send();
    const [first] = await chat.pending();
    await chat.send(chat.answered([approvalResponse(first!, { type: 'approve' })]));
    expect(ran).toEqual(['send:s1']);
    // The SDK raises one request per call: the second pause cannot surface, and never runs.
    expect(await chat.pending()).toEqual([]);
    expect(JSON.stringify(chat.model.prompts.at(-1))).toContain('paused again after an answer');
  });
});

describe('nested sub-agents (depth 2)', () => {
  it("a grandchild's request surfaces on the top-level call and pendingApprovals shows it (depth 2)", async () => {
    const { orbit } = await deploy({
      delegation: {
        max_depth: 2,
        max_sub_agents_per_run: 5,
        profiles: [
          {
            name: 'lead',
            tools: [
              { name: 'read', max_calls_per_run: 5 },
              { name: 'send', max_calls_per_run: 2 },
            ],
            may_delegate: true,
            max_sub_agents_per_run: 2,
          },
          {
            name: 'researcher',
            tools: [
              { name: 'read', max_calls_per_run: 5 },
              { name: 'send', max_calls_per_run: 2 },
            ],
          },
        ],
      },
    } as never);
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const grandchild = orbitAi.agent({
      model: scriptedModel([[call('g-send', 'send', { id: 'g' }, 0.5)]], 'grandchild done', 0, 'grandchild'),
      tools: { send: tools.send! },
      stopWhen: isStepCount(5),
    });
    const child = orbitAi.agent({
      model: scriptedModel([[call('c-deep', 'deep', { task: 'deeper' })]], 'child done', 0, 'child'),
      tools: { deep: orbitAi.subAgent(grandchild, { profile: 'researcher', description: 'deeper' }) },
      stopWhen: isStepCount(5),
    });
    const chat = new Conversation(
      orbitAi,
      { lead: orbitAi.subAgent(child, { profile: 'lead', description: 'lead' }) },
      [[call('p-lead', 'lead', { task: 'go' })]],
    );
    const first = await chat.send();
    expect(first.content.some((p) => p.type === 'tool-approval-request')).toBe(true);
    const pending = await chat.pending();
    expect(pending.map((p) => [p.toolCallId, p.orbit.call_id, p.orbit.depth])).toEqual([
      ['p-lead', 'g-send', 2],
    ]);
    await chat.send(chat.answered(pending.map((p) => approvalResponse(p, { type: 'approve' }))));
    expect(ran).toEqual(['send:g']);
  });
});

describe('sub-agent tool input', () => {
  it('a delegating call whose input fails the tool schema does not spawn a sub-agent (input_invalid for the model)', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const researcher = orbitAi.agent({
      model: scriptedModel([[call('k-read', 'read', { id: 'r' })]], 'research done', 0, 'researcher'),
      tools: { read: tools.read! },
      stopWhen: isStepCount(5),
    });
    const chat = new Conversation(
      orbitAi,
      { research: orbitAi.subAgent(researcher, { profile: 'researcher', description: 'r' }) },
      [[call('p-bad', 'research', { task: 42 })]],
    );
    await chat.send();
    expect(ran).toEqual([]);
    expect(sink.events.filter((e) => e.event === 'token' && e.token === 'minted')).toEqual([]);
  });
});
