// Attacks on delegation: who a call acts under after a handoff when the context object is used again,
// a spawn refused inside a sub-agent, a profile the manifest does not have, and a restore that replaces
// the context.

import { Agent, RunContext, RunState, run } from '@openai/agents';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { describe, expect, it } from 'vitest';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, decisionOf, deploy, outputs, sdkToolOptions, start } from '../test/support.js';
import { orbitContext, orbitOpenAIAgents } from './index.js';

/** triage (read, update) hands off to billing (read, send) under the researcher profile (read and send only). */
async function triageAndBilling(billingTurns: Parameters<typeof call>[]) {
  const { orbit, sink } = await deploy();
  const orbitAgents = orbitOpenAIAgents(orbit);
  const tools = sdkToolOptions();
  const billing = new Agent({
    name: 'billing',
    model: new ScriptedAgentsModel(
      billingTurns.map((args) => [call(...args)]),
      'billing done',
    ),
    tools: [orbitAgents.tool(tools.read), orbitAgents.tool(tools.send)],
  });
  const triage = orbitAgents.agent(
    new Agent({
      name: 'triage',
      model: new ScriptedAgentsModel([[{ id: 'p-handoff', name: 'transfer_to_billing', args: {} }]]),
      tools: [orbitAgents.tool(tools.read), orbitAgents.tool(tools.update)],
      handoffs: [orbitAgents.handoff(billing, { profile: 'researcher' })],
    }),
  );
  return { orbitAgents, triage, sink, ran: tools.ran };
}

describe('who acts after a handoff', () => {
  it('a new run that starts at the first agent with the same context object acts under the thread’s run, not the handed-off agent’s', async () => {
    const { triage, sink, ran } = await triageAndBilling([['k-read', 'read', { id: 'b' }]]);
    const context = orbitContext('t-again');
    await run(triage, 'first question', { context });
    // The next message of the conversation starts again at triage, with the application's context object.
    const again = triage.clone({
      model: new ScriptedAgentsModel([[call('p-update', 'update', { id: 'u' })]], 'updated'),
    });
    const result = await run(again, 'second question', { context });
    expect(result.finalOutput).toBe('updated');
    expect(ran).toEqual(['read:b', 'update:u']);
    expect(decisionOf('p-update', sink)).toMatchObject({
      decision: 'proceed',
      run_id: 't-again',
      parent_run_id: null,
    });
  });

  it('a new run that starts at the handed-off agent (result.lastAgent) still acts under its run', async () => {
    const { triage, sink } = await triageAndBilling([['k-read', 'read', { id: 'b' }]]);
    const context = orbitContext('t-last');
    const first = await run(triage, 'first question', { context });
    const billingRun = decisionOf('k-read', sink).run_id;
    expect(billingRun).not.toBe('t-last');
    const billing = first.lastAgent!.clone({
      model: new ScriptedAgentsModel([[call('k-read-2', 'read', { id: 'c' })]], 'again'),
    });
    await run(billing, 'more', { context });
    expect(decisionOf('k-read-2', sink).run_id).toBe(billingRun);
  });
});

describe('a spawn refused inside an agent-as-tool', () => {
  it('tells the caller’s model ORBIT’s refusal and ends the sub-agent’s run as a failure', async () => {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const inner = new Agent({
      name: 'inner',
      model: new ScriptedAgentsModel([[call('i-read', 'read', { id: 'i' })]], 'inner found'),
      tools: [orbitAgents.tool(tools.read)],
    });
    // The researcher profile may not delegate: the middle agent's call of the inner agent is refused.
    const middle = new Agent({
      name: 'middle',
      model: new ScriptedAgentsModel([[call('m-inner', 'ask_inner', { input: 'x' })]], 'middle found'),
      tools: [
        orbitAgents.subAgent(inner, { profile: 'researcher', toolName: 'ask_inner', toolDescription: 'i' }),
      ],
    });
    const model = new ScriptedAgentsModel([[call('p-middle', 'ask_middle', { input: 'a' })]]);
    const lead = orbitAgents.agent(
      new Agent({
        name: 'lead',
        model,
        tools: [
          orbitAgents.subAgent(middle, {
            profile: 'researcher',
            toolName: 'ask_middle',
            toolDescription: 'm',
          }),
        ],
      }),
    );
    const result = await start(lead, 't-depth');
    expect(result.finalOutput).toBe('done');
    expect(tools.ran).toEqual([]);
    expect(JSON.parse(outputs(model)['p-middle']!)).toMatchObject({
      refused: true,
      reasons: ['spawn_not_permitted'],
    });
    const ends = sink.events.filter((e) => e.event === 'run' && e.run_id !== 't-depth');
    expect(ends.at(-1)).toMatchObject({ task_outcome: 'failure' });
  });
});

describe('profiles', () => {
  it('refuses a handoff or agent-as-tool naming a profile the manifest does not have, when it is made', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const billing = new Agent({ name: 'billing' });
    expect(() => orbitAgents.handoff(billing, { profile: 'billing' })).toThrow(OptionsInvalidError);
    expect(() => orbitAgents.handoff(billing, { profile: 'billing' })).toThrow(/researcher/);
    expect(() =>
      orbitAgents.subAgent(billing, { profile: 'reseacher', toolName: 'b', toolDescription: 'b' }),
    ).toThrow(/no sub-agent profile "reseacher"/);
  });
});

describe('a restore that replaces the context', () => {
  it('keeps a handed-off agent’s pause under its own run when ORBIT’s fields are carried over', async () => {
    const { orbitAgents, triage, sink, ran } = await triageAndBilling([['k-send', 'send', { id: 's' }, 0.5]]);
    const paused = await start(triage, 't-replace');
    const saved = paused.state.toString();
    // The application keeps its secrets out of the saved string and gives them back on restore, with
    // ORBIT's fields of the saved context (see the README).
    const restored = await RunState.fromString(triage, saved);
    const { orbit_thread, orbit_run, orbit_usage } = restored._context.context as Record<string, unknown>;
    const context = { secret: 'tok-app', orbit_thread, orbit_run, orbit_usage };
    const state = await RunState.fromStringWithContext(triage, saved, new RunContext(context), {
      contextStrategy: 'replace',
    });
    const [pending] = await orbitAgents.pendingApprovals(state);
    await orbitAgents.answer(state, pending!, { type: 'approve' });
    await run(triage, state);
    expect(ran).toEqual(['send:s']);
    const sends = sink.events.filter((e) => e.event === 'decision' && e.call_id === 'k-send');
    expect(sends).toHaveLength(1);
  });

  // Without orbit_run, the SDK's question about the paused call is put to the thread's run: the call is
  // decided again there (a second decision, the parent's scope). The adapter cannot tell this context from
  // a new one; the README says to carry ORBIT's fields over.
  it.skip('keeps a handed-off agent’s pause under its own run when the replaced context lacks orbit_run [not fixed: documented]', async () => {
    const { orbitAgents, triage, sink } = await triageAndBilling([['k-send', 'send', { id: 's' }, 0.5]]);
    const paused = await start(triage, 't-replace-bare');
    const state = await RunState.fromStringWithContext(
      triage,
      paused.state.toString(),
      new RunContext(orbitContext('t-replace-bare')),
      { contextStrategy: 'replace' },
    );
    const [pending] = await orbitAgents.pendingApprovals(state);
    await orbitAgents.answer(state, pending!, { type: 'approve' });
    await run(triage, state);
    expect(sink.events.filter((e) => e.event === 'decision' && e.call_id === 'k-send')).toHaveLength(1);
  });
});
