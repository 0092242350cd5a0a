// Handoffs and agents-as-tools: each delegation mints a token for the receiving agent from its
// profile, per invocation; the receiving agent acts under it, never under its parent's run; the saved
// state names runs, never tokens.

import { Agent, RunState, run } from '@openai/agents';
import { ApprovalUnknownError, RunUnknownError } from '@orbit-agents/core/errors';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { capturingAuthority } from '../../core/test/adapter-conformance-support.js';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, decisionOf, deploy, outputs, sdkToolOptions, start } from '../test/support.js';
import { haltOf, orbitOpenAIAgents } from './index.js';

async function handoffSetUp(childTurns: Parameters<typeof call>[] = [], options: { trust?: unknown } = {}) {
  const { orbit, sink } = await deploy({}, options as never);
  const orbitAgents = orbitOpenAIAgents(orbit);
  const tools = sdkToolOptions();
  const billing = new Agent({
    name: 'billing',
    instructions: 'bill',
    model: new ScriptedAgentsModel(
      childTurns.map((args) => [call(...args)]),
      'billing done',
    ),
    tools: [tools.read, tools.send, tools.draft].map((o) => orbitAgents.tool(o)),
  });
  const parentModel = new ScriptedAgentsModel([
    [call('p-read', 'read', { id: 'parent' })],
    [{ id: 'p-handoff', name: 'transfer_to_billing', args: {} }],
  ]);
  const parent = orbitAgents.agent(
    new Agent({
      name: 'triage',
      instructions: 'route',
      model: parentModel,
      tools: [orbitAgents.tool(tools.read), orbitAgents.tool(tools.update)],
      handoffs: [orbitAgents.handoff(billing, { profile: 'researcher' })],
    }),
  );
  return { orbit, orbitAgents, parent, sink, ran: tools.ran };
}

const minted = (sink: { events: { event: string; token?: string }[] }) =>
  sink.events.filter((e) => e.event === 'token' && e.token === 'minted');

describe('handoffs', () => {
  it('hands the conversation to an agent acting under a token minted for it, never under its parent’s run', async () => {
    const { parent, sink, ran } = await handoffSetUp([
      ['k-read', 'read', { id: 'child' }],
      ['k-draft', 'draft', { id: 'd' }],
    ]);
    // Its profile has read and send only: draft is outside its token, whatever its agent offers the model.
    // The receiving agent is the conversation now: its halt ends the SDK's run.
    const error = await start(parent, 't-handoff').catch((caught: unknown) => caught);
    expect(haltOf(error)?.decision.reasons).toContain('token_scope_violation');
    expect(ran).toEqual(['read:parent', 'read:child']);
    const tokens = minted(sink);
    expect(tokens).toHaveLength(1);
    const spawn = sink.events.filter((e) => e.event === 'decision' && e.tool === 'spawn_sub_agent');
    expect(spawn).toEqual([expect.objectContaining({ decision: 'proceed', run_id: 't-handoff' })]);
    expect(decisionOf('k-read', sink)).toMatchObject({
      decision: 'proceed',
      token_id: (tokens[0] as { token_id?: string }).token_id,
      parent_run_id: 't-handoff',
    });
    expect(decisionOf('k-read', sink).run_id).not.toBe('t-handoff');
    expect(decisionOf('k-draft', sink).reasons).toContain('token_scope_violation');
    expect(decisionOf('p-read', sink)).toMatchObject({ run_id: 't-handoff', parent_run_id: null });
  });

  it('mints a token per handoff: two conversations, two tokens', async () => {
    const { parent, sink } = await handoffSetUp([['k-read', 'read', { id: 'child' }]]);
    await start(parent, 't-one');
    await start(parent, 't-two');
    const tokens = minted(sink).map((e) => (e as { token_id?: string }).token_id);
    expect(new Set(tokens).size).toBe(2);
  });

  it('saves a pause inside the receiving agent with its run id, never its token', async () => {
    const { authority, tokens } = await capturingAuthority();
    const { orbitAgents, parent, ran } = await handoffSetUp([['k-send', 'send', { id: 's1' }, 0.5]], {
      trust: authority,
    });
    const paused = await start(parent, 't-saved');
    const saved = paused.state.toString();
    expect(tokens).toHaveLength(1);
    expect(saved).not.toContain(tokens[0]);
    expect(saved).not.toContain(tokens[0]!.split('.')[2]);
    const [pending] = await orbitAgents.pendingApprovals(paused);
    expect(pending!.orbit).toMatchObject({ call_id: 'k-send', depth: 1 });
    expect(saved).toContain(`"orbit_run":"${pending!.orbit!.run_id}"`);
    const state = await RunState.fromString(parent, saved);
    await orbitAgents.answer(state, pending!, { type: 'approve' });
    const done = await run(parent, state);
    expect(done.finalOutput).toBe('billing done');
    expect(ran).toEqual(['read:parent', 'send:s1']);
  });

  it('refuses a saved state edited to name another thread’s sub-agent: nothing acts under its token', async () => {
    const { orbitAgents, parent, ran } = await handoffSetUp([['k-send', 'send', { id: 's1' }, 0.5]]);
    const victim = await start(parent, 't-victim');
    const [pending] = await orbitAgents.pendingApprovals(victim);
    const attacker = await start(parent, 't-attacker');
    const edited = attacker.state
      .toString()
      .replace(/"orbit_run":"[^"]+"/, `"orbit_run":"${pending!.orbit!.run_id}"`);
    const state = await RunState.fromString(parent, edited);
    await expect(orbitAgents.pendingApprovals(state)).rejects.toThrow(
      /not a sub-agent of thread "t-attacker"/,
    );
    expect(ran).toEqual(['read:parent', 'read:parent']);
  });

  it('says clearly that a pause inside a handed-off agent does not survive a restart (its token lived in the old process)', async () => {
    const first = await handoffSetUp([['k-send', 'send', { id: 's1' }, 0.5]]);
    const saved = (await start(first.parent, 't-lost')).state.toString();
    const second = await handoffSetUp([['k-send', 'send', { id: 's1' }, 0.5]]);
    const state = await RunState.fromString(second.parent, saved);
    await expect(second.orbitAgents.pendingApprovals(state)).rejects.toSatisfy((e: unknown) =>
      RunUnknownError.isInstance(e),
    );
    expect(second.ran).toEqual([]);
  });
});

describe('agents as tools', () => {
  async function asToolSetUp() {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const researcher = new Agent({
      name: 'researcher',
      instructions: 'research',
      model: new ScriptedAgentsModel(
        [[call('k-read', 'read', { id: 'k' })], [call('k-update', 'update', { id: 'u' })]],
        'found',
      ),
      tools: [tools.read, tools.update].map((o) => orbitAgents.tool(o)),
    });
    const research = orbitAgents.subAgent(researcher, {
      profile: 'researcher',
      toolName: 'research',
      toolDescription: 'research a topic',
      parameters: z.object({ topic: z.string() }),
      inputBuilder: ({ params }: { params: unknown }) => (params as { topic: string }).topic,
    });
    const model = new ScriptedAgentsModel([
      [call('p-r1', 'research', { topic: 'a' })],
      [call('p-r2', 'research', { topic: 'b' })],
    ]);
    const parent = orbitAgents.agent(
      new Agent({ name: 'lead', instructions: 'lead', model, tools: [research] }),
    );
    return { parent, model, sink, ran: tools.ran };
  }

  it('mints a token per call, and the agent-as-tool cannot use a tool outside its profile', async () => {
    const { parent, model, sink, ran } = await asToolSetUp();
    await start(parent, 't-astool');
    expect(minted(sink)).toHaveLength(2);
    const kReads = sink.events.filter((e) => e.event === 'decision' && e.call_id === 'k-read');
    // The nested agent's script restarts for each call: each call's run decided its own k-read.
    expect(new Set(kReads.map((e) => e.run_id)).size).toBe(2);
    expect(new Set(kReads.map((e) => e.token_id)).size).toBe(2);
    expect(ran).toEqual(['read:k', 'read:k']);
    for (const e of sink.events.filter((x) => x.event === 'decision' && x.call_id === 'k-update'))
      expect(e.reasons).toContain('token_scope_violation');
    expect(Object.keys(outputs(model))).toEqual(['p-r1', 'p-r2']);
  });

  it('does not take up a pause inside an agent-as-tool after a restart (its token lived in the old process): answer() refuses it', async () => {
    const make = async () => {
      const { orbit } = await deploy();
      const orbitAgents = orbitOpenAIAgents(orbit);
      const tools = sdkToolOptions();
      const researcher = new Agent({
        name: 'researcher',
        model: new ScriptedAgentsModel([[call('k-send', 'send', { id: 's' }, 0.5)]], 'found'),
        tools: [orbitAgents.tool(tools.send)],
      });
      const research = orbitAgents.subAgent(researcher, {
        profile: 'researcher',
        toolName: 'research',
        toolDescription: 'r',
      });
      const model = new ScriptedAgentsModel([[call('p-r', 'research', { input: 'a' })]]);
      const parent = orbitAgents.agent(new Agent({ name: 'lead', model, tools: [research] }));
      return { orbitAgents, parent, ran: tools.ran };
    };
    const first = await make();
    const saved = (await start(first.parent, 't-astool-lost')).state.toString();
    const second = await make();
    const state = await RunState.fromString(second.parent, saved);
    const [pending] = await second.orbitAgents.pendingApprovals(state);
    expect(pending!.orbit).toBeUndefined();
    await expect(second.orbitAgents.answer(state, pending!, { type: 'approve' })).rejects.toSatisfy(
      (e: unknown) => ApprovalUnknownError.isInstance(e),
    );
    expect([...first.ran, ...second.ran]).toEqual([]);
  });
});
