// Each ORBIT decision on the SDK's own mechanisms: proceed runs, block is a refusal the model reads,
// pause is the SDK's interruption answered through orbitAgents.answer(), halt ends the run.

import { Agent, run, ToolCallError, tool } from '@openai/agents';
import {
  ApprovalHashMismatchError,
  ApprovalUnknownError,
  OptionsInvalidError,
} from '@orbit-agents/core/errors';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import {
  call,
  decisionOf,
  deploy,
  outputs,
  saveAndRestore,
  scriptedAgent,
  sdkToolOptions,
  start,
} from '../test/support.js';
import { haltOf, orbitContext, orbitOpenAIAgents } from './index.js';

async function setUp(turns: Parameters<typeof scriptedAgent>[1]) {
  const { orbit, sink } = await deploy();
  const orbitAgents = orbitOpenAIAgents(orbit);
  const options = sdkToolOptions();
  const tools = [options.read, options.update, options.send, options.merge, options.draft].map((o) =>
    orbitAgents.tool(o),
  );
  const { agent, model } = scriptedAgent(orbitAgents, turns, tools);
  return { orbitAgents, agent, model, sink, ran: options.ran };
}

describe('decisions on the OpenAI Agents SDK', () => {
  it('runs a call ORBIT lets through, and records one decision and its outcome', async () => {
    const { agent, model, sink, ran } = await setUp([[call('c1', 'read', { id: 'r1' })]]);
    const result = await start(agent, 't-proceed');
    expect(result.finalOutput).toBe('done');
    expect(ran).toEqual(['read:r1']);
    expect(outputs(model)).toEqual({ c1: 'read ok r1' });
    expect(decisionOf('c1', sink)).toMatchObject({ decision: 'proceed', tool: 'read' });
  });

  it('refuses a call with bad arguments as input_invalid: the model reads the refusal, the tool never runs', async () => {
    const { agent, model, sink, ran } = await setUp([[call('c1', 'read', { id: 42 })]]);
    await start(agent, 't-invalid');
    expect(ran).toEqual([]);
    expect(JSON.parse(outputs(model).c1!)).toMatchObject({
      refused: true,
      decision: 'block',
      reasons: ['input_invalid'],
    });
    expect(decisionOf('c1', sink)).toMatchObject({ decision: 'block', reasons: ['input_invalid'] });
  });

  it('pauses as the SDK interruption, with ORBIT’s details, and runs the call once when approved', async () => {
    const { orbitAgents, agent, model, sink, ran } = await setUp([[call('c1', 'send', { id: 's1' }, 0.8)]]);
    const paused = await start(agent, 't-pause');
    expect(paused.interruptions.map((item) => item.name)).toEqual(['send']);
    const [pending] = await orbitAgents.pendingApprovals(paused);
    expect(pending!.orbit).toMatchObject({
      tool: 'send',
      call_id: 'c1',
      depth: 0,
      args: { id: 's1' },
      reversibility: 'irreversible',
      action_hash: expect.stringMatching(/^sha256:/),
    });
    expect(pending!.orbit!.reasons.length).toBeGreaterThan(0);
    expect(ran).toEqual([]);
    await orbitAgents.answer(paused.state, pending!, { type: 'approve', approver: 'ana' });
    const resumed = await run(agent, paused.state);
    expect(resumed.finalOutput).toBe('done');
    expect(ran).toEqual(['send:s1']);
    expect(outputs(model)).toEqual({ c1: 'send ok s1' });
    expect(decisionOf('c1', sink).decision).toBe('pause');
    expect(sink.events.filter((e) => e.event === 'approval').map((e) => e.approval)).toEqual([
      'requested',
      'approve',
    ]);
    expect(sink.events.find((e) => e.event === 'approval' && e.approval === 'approve')?.approver).toBe('ana');
  });

  it('tells the model ORBIT’s refusal for a denial, with the person’s comment when there is one', async () => {
    const { orbitAgents, agent, model, ran } = await setUp([[call('c1', 'send', { id: 's1' }, 0.8)]]);
    const paused = await start(agent, 't-deny');
    const { state } = await saveAndRestore(agent, paused);
    const [pending] = await orbitAgents.pendingApprovals(state);
    await orbitAgents.answer(state, pending!, { type: 'deny', comment: 'not this customer' });
    await run(agent, state);
    expect(ran).toEqual([]);
    expect(outputs(model).c1).toContain('not this customer');
  });

  it('runs an edit with the edited arguments, after checking them again', async () => {
    const { orbitAgents, agent, ran } = await setUp([[call('c1', 'send', { id: 'wrong' }, 0.8)]]);
    const paused = await start(agent, 't-edit');
    const [pending] = await orbitAgents.pendingApprovals(paused);
    await orbitAgents.answer(paused.state, pending!, { type: 'edit', args: { id: 'right' } });
    await run(agent, paused.state);
    expect(ran).toEqual(['send:right']);
  });

  it('refuses an answer bound to other arguments before the SDK hears of it: the interruption stays pending', async () => {
    const { orbitAgents, agent, ran } = await setUp([[call('c1', 'send', { id: 's1' }, 0.8)]]);
    const paused = await start(agent, 't-hash');
    const [pending] = await orbitAgents.pendingApprovals(paused);
    await expect(
      orbitAgents.answer(paused.state, pending!, { type: 'approve', action_hash: 'sha256:other' }),
    ).rejects.toSatisfy((e: unknown) => ApprovalHashMismatchError.isInstance(e));
    expect(paused.state.getInterruptions()).toHaveLength(1);
    await orbitAgents.answer(paused.state, pending!, { type: 'approve' });
    await run(agent, paused.state);
    expect(ran).toEqual(['send:s1']);
  });

  it('halts the run on an explicitly blocked tool: haltOf finds the halt inside the SDK’s ToolCallError', async () => {
    const { agent, sink, ran } = await setUp([
      [call('c1', 'merge', { id: 'm' })],
      [call('c2', 'read', { id: 'r' })],
    ]);
    const error = await start(agent, 't-halt').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolCallError);
    expect(haltOf(error)?.decision.reasons).toEqual(['tool_explicitly_blocked']);
    expect(ran).toEqual([]);
    expect(sink.events.filter((e) => e.event === 'outcome' && e.call_id === 'c1')).toEqual([
      expect.objectContaining({ status: 'not_executed', decision: 'halt' }),
    ]);
  });

  it('treats the SDK’s own state.approve(item) as an approval of that call, recorded with the SDK as approver', async () => {
    const { orbitAgents, agent, sink, ran } = await setUp([[call('c1', 'send', { id: 's1' }, 0.8)]]);
    const paused = await start(agent, 't-native');
    paused.state.approve(paused.interruptions[0]!);
    await run(agent, paused.state);
    expect(ran).toEqual(['send:s1']);
    expect(sink.events.filter((e) => e.event === 'approval').map((e) => e.approver)).toContain(
      'openai-agents:state.approve',
    );
    expect(orbitAgents.runOf('t-native').id).toBe('t-native');
  });

  it('fails closed when the SDK skips the question (alwaysApprove): a later pause never runs unasked', async () => {
    const { agent, ran } = await setUp([
      [call('c1', 'send', { id: 's1' }, 0.8)],
      [call('c2', 'send', { id: 's2' }, 0.8)],
    ]);
    const paused = await start(agent, 't-always');
    paused.state.approve(paused.interruptions[0]!, { alwaysApprove: true });
    const error = await run(agent, paused.state).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolCallError);
    expect((error as ToolCallError).error).toSatisfy((e: unknown) => OptionsInvalidError.isInstance(e));
    expect(ran).toEqual(['send:s1']);
  });

  it('refuses to answer an interruption ORBIT did not raise', async () => {
    const { orbitAgents } = await setUp([]);
    const unguarded = new Agent({
      name: 'plain',
      model: new ScriptedAgentsModel([[call('c1', 'send', { id: 's1' })]]),
      tools: [tool({ ...sdkToolOptions().send, needsApproval: true })],
    });
    const paused = await run(unguarded, 'go', { context: orbitContext('t-unknown') });
    const [pending] = await orbitAgents.pendingApprovals(paused);
    expect(pending!.orbit).toBeUndefined();
    await expect(orbitAgents.answer(paused.state, pending!, { type: 'approve' })).rejects.toSatisfy(
      (e: unknown) => ApprovalUnknownError.isInstance(e),
    );
  });

  it('refuses what would let a call run undecided: needsApproval on a tool, a hosted tool, a handoff without ORBIT', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    expect(() => orbitAgents.tool({ ...sdkToolOptions().send, needsApproval: true })).toThrow(
      OptionsInvalidError,
    );
    const hosted = { type: 'hosted_tool', name: 'web_search', providerData: {} };
    expect(() => orbitAgents.agent(new Agent({ name: 'a', tools: [hosted as never] }))).toThrow(
      /hosted_tool tool/,
    );
    const other = new Agent({ name: 'billing' });
    expect(() => orbitAgents.agent(new Agent({ name: 'a', handoffs: [other] }))).toThrow(
      /orbitAgents.handoff/,
    );
    expect(() =>
      orbitAgents.tool({ name: 'x', description: 'x', parameters: z.object({}) } as never),
    ).toThrow(/execute/);
  });

  it('needs the thread in the run context, and says where it goes', async () => {
    const { agent } = await setUp([[call('c1', 'read', { id: 'r1' })]]);
    const error = await run(agent, 'go', { context: { user: 'u1' } }).catch((caught: unknown) => caught);
    expect(String((error as ToolCallError).error ?? error)).toMatch(/context\.orbit_thread/);
  });
});
