// Attacks on the answers to ORBIT's pauses: an answer given in one process and resumed in another, an
// answer given twice, and the SDK's own ways around answer() (state.reject, a tool input guardrail).

import {
  Agent,
  defineToolInputGuardrail,
  RunState,
  run,
  ToolGuardrailFunctionOutputFactory,
} from '@openai/agents';
import { ApprovalAlreadyAnsweredError } from '@orbit-agents/core/errors';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conformanceManifest, tempDbPath } from '../../core/test/adapter-conformance-support.js';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, deploy, outputs, sdkToolOptions, start } from '../test/support.js';
import { type OrbitAnswer, orbitContext, orbitOpenAIAgents } from './index.js';

/** Two processes on one SQLite file: each its own orbit, binding, agent and (scripted) model. */
async function twoProcesses() {
  const path = tempDbPath();
  const stores = [new SqliteStore({ path }), new SqliteStore({ path })];
  const ran: string[] = [];
  const make = async (store: SqliteStore) => {
    const { orbit, sink } = await deploy({}, { store });
    const orbitAgents = orbitOpenAIAgents(orbit);
    const model = new ScriptedAgentsModel([[call('c1', 'send', { id: 'orig' }, 0.5)]]);
    const agent = orbitAgents.agent(
      new Agent({ name: 'mailer', model, tools: [orbitAgents.tool(sdkToolOptions(ran).send)] }),
    );
    return { orbitAgents, agent, model, sink };
  };
  const processes = [await make(stores[0]!), await make(stores[1]!)] as const;
  const close = () => Promise.all(stores.map((store) => store.close()));
  return { processes, ran, close };
}

describe('answers across processes', () => {
  it('a denial given with answer() in one process stays a denial when another process resumes the saved state', async () => {
    const { processes, ran, close } = await twoProcesses();
    const [a, b] = processes;
    const paused = await run(a.agent, 'go', { context: orbitContext('t-deny-elsewhere') });
    const [pending] = await a.orbitAgents.pendingApprovals(paused);
    await a.orbitAgents.answer(paused.state, pending!, { type: 'deny', comment: 'not this one' });
    // The approval desk saves the answered state; a worker in another process resumes it.
    const state = await RunState.fromString(b.agent, paused.state.toString());
    await run(b.agent, state);
    expect(ran).toEqual([]);
    expect(outputs(b.model).c1).toContain('not this one');
    const answered = (sink: typeof a.sink) =>
      sink.events.filter((e) => e.event === 'approval' && e.approval !== 'requested').map((e) => e.approval);
    // Recorded when it was given; the resuming process records the answer it took up from the store.
    expect(answered(a.sink)).toEqual(['deny']);
    expect(answered(b.sink)).toEqual(['deny']);
    await close();
  });

  it('an edit given with answer() in one process runs with the edited arguments in the process that resumes', async () => {
    const { processes, ran, close } = await twoProcesses();
    const [a, b] = processes;
    const paused = await run(a.agent, 'go', { context: orbitContext('t-edit-elsewhere') });
    const [pending] = await a.orbitAgents.pendingApprovals(paused);
    await a.orbitAgents.answer(paused.state, pending!, { type: 'edit', args: { id: 'edited' } });
    const state = await RunState.fromString(b.agent, paused.state.toString());
    await run(b.agent, state);
    expect(ran).toEqual(['send:edited']);
    await close();
  });
});

describe('answering twice', () => {
  async function paused(threadId: string) {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const model = new ScriptedAgentsModel([[call('c1', 'send', { id: 's1' }, 0.8)]]);
    const agent = orbitAgents.agent(
      new Agent({ name: 'mailer', model, tools: [orbitAgents.tool(options.send)] }),
    );
    const result = await start(agent, threadId);
    const [pending] = await orbitAgents.pendingApprovals(result);
    return { orbitAgents, agent, sink, ran: options.ran, result, pending: pending! };
  }

  it('keeps the first answer: a later, different answer before the resume is refused and the denial stands', async () => {
    const { orbitAgents, agent, sink, ran, result, pending } = await paused('t-twice');
    await orbitAgents.answer(result.state, pending, { type: 'deny', approver: 'ana' });
    await expect(
      orbitAgents.answer(result.state, pending, { type: 'approve', approver: 'bob' }),
    ).rejects.toSatisfy((e: unknown) => ApprovalAlreadyAnsweredError.isInstance(e));
    await run(agent, result.state);
    expect(ran).toEqual([]);
    const answers = sink.events.filter((e) => e.event === 'approval' && e.approval !== 'requested');
    expect(answers.map((e) => [e.approval, e.approver])).toEqual([['deny', 'ana']]);
  });

  it('takes the same answer given twice (a retried request) as one answer', async () => {
    const { orbitAgents, agent, ran, result, pending } = await paused('t-same-twice');
    const answer: OrbitAnswer = { type: 'approve', approver: 'ana' };
    await orbitAgents.answer(result.state, pending, answer);
    await orbitAgents.answer(result.state, pending, answer);
    await run(agent, result.state);
    expect(ran).toEqual(['send:s1']);
  });
});

describe('the SDK’s own ways around answer()', () => {
  it('takes the SDK’s state.approve(item) as an approval for a manifest tool name the SDK rewrites (send-email → send_email)', async () => {
    const manifest = conformanceManifest();
    const { orbit, sink } = await deploy({
      allowed_tools: [
        ...manifest.allowed_tools,
        {
          name: 'send-email',
          max_calls_per_run: 5,
          reversibility: 'irreversible',
          confidence_threshold: 0.9,
        },
      ],
    });
    const orbitAgents = orbitOpenAIAgents(orbit);
    const ran: string[] = [];
    const sendEmail = orbitAgents.tool({
      name: 'send-email',
      description: 'send an email',
      parameters: z.object({ to: z.string() }),
      execute: async ({ to }: { to: string }) => {
        ran.push(to);
        return `sent to ${to}`;
      },
    });
    expect(sendEmail.name).toBe('send_email');
    const model = new ScriptedAgentsModel([[call('c1', 'send_email', { to: 'ana' }, 0.5)]]);
    const agent = orbitAgents.agent(new Agent({ name: 'mailer', model, tools: [sendEmail] }));
    const paused = await start(agent, 't-renamed');
    const state = await RunState.fromString(agent, paused.state.toString());
    state.approve(state.getInterruptions()[0]!);
    await run(agent, state);
    expect(ran).toEqual(['ana']);
    const approvals = sink.events.filter((e) => e.event === 'approval' && e.approval === 'approve');
    expect(approvals.map((e) => [e.tool, e.approver])).toEqual([
      ['send-email', 'openai-agents:state.approve'],
    ]);
  });

  // The SDK rejects the call itself and never calls the tool: ORBIT records the rejection when it next sees
  // the run (a later call decided or run, or the agent's end), as a denial by the SDK, the call not executed.
  it('records a denial made with the SDK’s own state.reject(item), with its message', async () => {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const model = new ScriptedAgentsModel([
      [call('c1', 'send', { id: 's1' }, 0.8)],
      [call('c2', 'read', { id: 'r' })],
    ]);
    const agent = orbitAgents.agent(
      new Agent({
        name: 'mailer',
        model,
        tools: [orbitAgents.tool(options.send), orbitAgents.tool(options.read)],
      }),
    );
    const result = await start(agent, 't-native-reject');
    result.state.reject(result.interruptions[0]!, { message: 'not now' });
    await run(agent, result.state);
    expect(options.ran).toEqual(['read:r']);
    const denial = sink.events.find((e) => e.event === 'approval' && e.approval === 'deny');
    expect(denial).toMatchObject({ call_id: 'c1', approver: 'openai-agents:state.reject' });
    expect(sink.events.filter((e) => e.event === 'outcome' && e.call_id === 'c1')).toEqual([
      expect.objectContaining({ status: 'not_executed' }),
    ]);
  });

  it('records a state.reject(item) when the agent ends with no call after it', async () => {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const model = new ScriptedAgentsModel([[call('c1', 'send', { id: 's1' }, 0.8)]]);
    const agent = orbitAgents.agent(
      new Agent({ name: 'mailer', model, tools: [orbitAgents.tool(options.send)] }),
    );
    const result = await start(agent, 't-native-reject-end');
    result.state.reject(result.interruptions[0]!);
    await run(agent, result.state);
    await expect
      .poll(() => sink.events.filter((e) => e.event === 'approval').map((e) => e.approval))
      .toEqual(['requested', 'deny']);
    expect(options.ran).toEqual([]);
  });

  // A tool input guardrail that rejects the call after the person approved it: the SDK never calls
  // execute, where ORBIT applies answers, so the person's answer is not recorded. Same missing hook.
  it.skip('records the answer to a call a tool input guardrail then rejects [not fixed: the SDK tells the tool nothing]', async () => {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const guardrail = defineToolInputGuardrail({
      name: 'no',
      run: async () => ToolGuardrailFunctionOutputFactory.rejectContent('refused by the guardrail'),
    });
    const model = new ScriptedAgentsModel([[call('c1', 'send', { id: 's1' }, 0.8)]]);
    const agent = orbitAgents.agent(
      new Agent({
        name: 'mailer',
        model,
        tools: [orbitAgents.tool({ ...options.send, inputGuardrails: [guardrail] })],
      }),
    );
    const result = await start(agent, 't-guardrail');
    const [pending] = await orbitAgents.pendingApprovals(result);
    await orbitAgents.answer(result.state, pending!, { type: 'approve', approver: 'ana' });
    await run(agent, result.state);
    expect(options.ran).toEqual([]);
    expect(sink.events.filter((e) => e.event === 'approval').map((e) => e.approval)).toContain('approve');
  });
});
