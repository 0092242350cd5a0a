// Second review, the answers kept in the run context: a denial when the restored context lost them,
// answers JSON cannot carry, a frozen context, answers spent once applied, a parent's and its
// sub-agent's calls with the same id.

import { Agent, RunContext, RunState, run } from '@openai/agents';
import { ApprovalAnswerInvalidError, OptionsInvalidError } from '@orbit-agents/core/errors';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { describe, expect, it } from 'vitest';
import { tempDbPath } from '../../core/test/adapter-conformance-support.js';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, deploy, outputs, sdkToolOptions, start } from '../test/support.js';
import { orbitContext, orbitOpenAIAgents } from './index.js';

/** A guarded agent whose model calls `send` (paused: below its threshold) once. */
async function mailer(options: Parameters<typeof deploy>[1] = {}) {
  const { orbit, sink } = await deploy({}, options);
  const orbitAgents = orbitOpenAIAgents(orbit);
  const tools = sdkToolOptions();
  const model = new ScriptedAgentsModel([[call('c1', 'send', { id: 's1' }, 0.5)]]);
  const agent = orbitAgents.agent(
    new Agent({ name: 'mailer', model, tools: [orbitAgents.tool(tools.send)] }),
  );
  return { orbitAgents, agent, model, sink, ran: tools.ran };
}

const answered = (sink: Awaited<ReturnType<typeof mailer>>['sink']) =>
  sink.events.filter((e) => e.event === 'approval' && e.approval !== 'requested').map((e) => e.approval);

describe('a denial given with answer()', () => {
  it('holds when the state is restored with fromStringWithContext and a context without orbit_answers (another process)', async () => {
    const path = tempDbPath();
    const [storeA, storeB] = [new SqliteStore({ path }), new SqliteStore({ path })];
    const a = await mailer({ store: storeA });
    const paused = await run(a.agent, 'go', { context: orbitContext('t-lost-answers') });
    const [pending] = await a.orbitAgents.pendingApprovals(paused);
    await a.orbitAgents.answer(paused.state, pending!, { type: 'deny', comment: 'wrong customer' });
    expect(answered(a.sink)).toEqual(['deny']); // recorded when it is given
    // The worker gives the run a fresh context of its own (the SDK's default strategy, merge, takes it as
    // it is and merges only the SDK's approvals): ORBIT's answer is not in it.
    const b = await mailer({ store: storeB });
    const state = await RunState.fromStringWithContext(
      b.agent,
      paused.state.toString(),
      new RunContext(orbitContext('t-lost-answers', { secret: 'fresh' })),
    );
    await run(b.agent, state);
    expect(b.ran).toEqual([]);
    expect(outputs(b.model).c1).toBe('wrong customer');
    expect(answered(b.sink)).toEqual(['deny']);
    await Promise.all([storeA.close(), storeB.close()]);
  });

  it('is spent once applied: the state saved after the resume holds no orbit_answers, also when the resume raced the answer', async () => {
    for (const raced of [false, true]) {
      const { orbitAgents, agent, ran } = await mailer();
      const paused = await start(agent, `t-spent-${raced}`);
      const [pending] = await orbitAgents.pendingApprovals(paused);
      // raced: run(agent, state) is called before the answer, which lands while the resume starts.
      const resuming = raced ? run(agent, paused.state) : undefined;
      await orbitAgents.answer(paused.state, pending!, { type: 'deny' });
      const resumed = await (resuming ?? run(agent, paused.state));
      expect(resumed.finalOutput).toBe('done');
      expect(ran).toEqual([]);
      expect(resumed.state.toString()).not.toContain('orbit_answers');
    }
  });
});

describe('answers JSON cannot carry', () => {
  it.each([
    ['a BigInt', { id: 'x', n: 10n }, 'args.n: a BigInt is not JSON'],
    ['a Date', { id: new Date(0) }, 'args.id: a Date is not JSON'],
    ['a function', { id: 'x', f: () => 1 }, 'args.f: a function is not JSON'],
    ['a Map', { id: 'x', m: new Map() }, 'args.m: Map is not a plain object'],
    ['NaN', { id: 'x', n: Number.NaN }, 'args.n: NaN is not a finite number'],
  ])('refuses an edit with %s (naming the path); the state still saves', async (_kind, args, problem) => {
    const { orbitAgents, agent } = await mailer();
    const paused = await start(agent, 't-not-json');
    const [pending] = await orbitAgents.pendingApprovals(paused);
    const error = await orbitAgents
      .answer(paused.state, pending!, { type: 'edit', args })
      .catch((caught: unknown) => caught);
    expect(ApprovalAnswerInvalidError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(problem);
    expect(() => paused.state.toString()).not.toThrow();
    // The request stays pending: a JSON edit is taken.
    await orbitAgents.answer(paused.state, pending!, { type: 'edit', args: { id: 'edited' } });
  });
});

describe('a context ORBIT cannot write to', () => {
  it('fails the run with ORBIT’s error naming its fields, not a TypeError from inside', async () => {
    const { agent, ran } = await mailer();
    const error = await run(agent, 'go', { context: Object.freeze(orbitContext('t-frozen')) }).catch(
      (caught: unknown) => caught,
    );
    const inner = (error as { error?: unknown }).error;
    expect(OptionsInvalidError.isInstance(inner)).toBe(true);
    expect((inner as Error).message).toMatch(/orbit_usage.*frozen/);
    expect(ran).toEqual([]);
  });
});

describe('a parent’s call and its sub-agent’s call with the same id', () => {
  it('lists both with their own runs and applies each answer to its own call', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const researcher = new Agent({
      name: 'researcher',
      // The sub-agent's model names its call c1 too, as the parent's does.
      model: new ScriptedAgentsModel([[call('c1', 'send', { id: 'child' }, 0.5)]], 'found'),
      tools: [orbitAgents.tool(tools.send)],
    });
    const research = orbitAgents.subAgent(researcher, {
      profile: 'researcher',
      toolName: 'research',
      toolDescription: 'r',
    });
    const model = new ScriptedAgentsModel([
      [call('c1', 'send', { id: 'parent' }, 0.5), call('p-r', 'research', { input: 'x' })],
    ]);
    const lead = orbitAgents.agent(
      new Agent({ name: 'lead', model, tools: [research, orbitAgents.tool(tools.send)] }),
    );
    const paused = await start(lead, 't-same-id');
    const pending = await orbitAgents.pendingApprovals(paused);
    expect(pending.map((p) => [p.item.agent.name, p.orbit?.depth, p.orbit?.args])).toEqual([
      ['lead', 0, { id: 'parent' }],
      ['researcher', 1, { id: 'child' }],
    ]);
    const state = await RunState.fromString(lead, paused.state.toString());
    for (const each of await orbitAgents.pendingApprovals(state))
      await orbitAgents.answer(
        state,
        each,
        each.orbit?.depth === 0 ? { type: 'deny', comment: 'not the parent' } : { type: 'approve' },
      );
    await run(lead, state);
    expect(tools.ran).toEqual(['send:child']);
    expect(outputs(model).c1).toBe('not the parent');
  });

  // The SDK keys its approvals by agent, tool name and call id: two invocations of one agent-as-tool
  // whose nested calls share an id are one approval to it, and ORBIT recalls both interruptions as the
  // first invocation's call. Providers that give unique call ids (OpenAI's) never meet this.
  it.skip('keeps the answers of two parallel invocations of one agent-as-tool apart when their nested calls share an id [not fixed: the SDK keys approvals by call id]', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const researcher = new Agent({
      name: 'researcher',
      model: new ScriptedAgentsModel([[call('k1', 'send', { id: 'k' }, 0.5)]], 'found'),
      tools: [orbitAgents.tool(tools.send)],
    });
    const research = orbitAgents.subAgent(researcher, {
      profile: 'researcher',
      toolName: 'research',
      toolDescription: 'r',
    });
    const model = new ScriptedAgentsModel([
      [call('p-r1', 'research', { input: 'x' }), call('p-r2', 'research', { input: 'y' })],
    ]);
    const lead = orbitAgents.agent(new Agent({ name: 'lead', model, tools: [research] }));
    const paused = await start(lead, 't-shared-nested-id');
    const [first, second] = await orbitAgents.pendingApprovals(paused);
    expect(first!.orbit?.run_id).not.toBe(second!.orbit?.run_id);
    await orbitAgents.answer(paused.state, first!, { type: 'deny' });
    await run(lead, paused.state);
    expect(tools.ran).toEqual([]); // the second was never answered
  });
});
