// Tools the SDK built already (tool(), passed to new Agent) are guarded by orbitAgents.agent(): no path
// runs them undecided, and the model sees their schema with ORBIT's confidence argument.
import { Agent, run, tool } from '@openai/agents';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { builtTools, call, decisionOf, deploy, outputs, start } from '../test/support.js';
import { orbitOpenAIAgents } from './index.js';

describe('an agent of SDK-built tools, guarded with orbitAgents.agent()', () => {
  async function setUp(turns: Parameters<typeof call>[][]) {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const ran: string[] = [];
    const built = builtTools(ran);
    const explode = tool({
      name: 'explode',
      description: 'throws',
      parameters: built.read!.parameters as never,
      strict: false,
      execute: () => {
        throw new Error('tool exploded');
      },
    });
    const model = new ScriptedAgentsModel(turns.map((calls) => calls.map((args) => call(...args))));
    const plain = new Agent({
      name: 'plain',
      model,
      tools: [built.read!, built.send!, built.merge!, explode],
    });
    const agent = orbitAgents.agent(plain);
    return { orbitAgents, plain, agent, model, sink, ran };
  }

  it('leaves the given agent as it was and guards a clone', async () => {
    const { plain, agent } = await setUp([]);
    expect(agent).not.toBe(plain);
    expect(agent.tools.map((t) => (t as { name: string }).name)).toEqual([
      'read',
      'send',
      'merge',
      'explode',
    ]);
    const read = agent.tools[0] as {
      parameters: { properties: Record<string, unknown>; required: string[] };
      strict: boolean;
    };
    expect(Object.keys(read.parameters.properties)).toEqual(['id', 'confidence']);
    // The SDK made it strict: every property is required, ORBIT's too.
    expect(read.strict).toBe(true);
    expect(read.parameters.required).toEqual(['id', 'confidence']);
  });

  it('decides each call: a read runs, a send pauses and runs once approved; the tool gets its own arguments', async () => {
    const { orbitAgents, agent, model, sink, ran } = await setUp([
      [
        ['c-read', 'read', { id: 'r1' }],
        ['c-send', 'send', { id: 's1' }, 0.5],
      ],
    ]);
    const paused = await start(agent, 't-built');
    expect(ran).toEqual(['read:r1']);
    const [pending] = await orbitAgents.pendingApprovals(paused);
    await orbitAgents.answer(paused.state, pending!, { type: 'approve' });
    await run(agent, paused.state);
    expect(ran).toEqual(['read:r1', 'send:s1']);
    expect(outputs(model)).toEqual({ 'c-read': 'read ok r1', 'c-send': 'send ok s1' });
    expect(decisionOf('c-send', sink).decision).toBe('pause');
  });

  it('keeps a built tool’s own error handling (documented limit): its error function answers the model', async () => {
    const { agent, model, sink } = await setUp([[['c-x', 'explode', { id: 'x' }]]]);
    await start(agent, 't-explode');
    // The SDK's tool() turned the error into its text before ORBIT saw it: ORBIT records what the tool returned.
    expect(outputs(model)['c-x']).toBe('An error occurred while running the tool. Please try again.');
    expect(sink.events.filter((e) => e.event === 'outcome' && e.call_id === 'c-x')).toEqual([
      expect.objectContaining({ status: 'executed' }),
    ]);
  });

  it('records the error of a tool made from the SDK’s tool() options (orbitAgents.tool): the model reads its message', async () => {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const explode = orbitAgents.tool({
      name: 'explode',
      description: 'throws',
      parameters: z.object({ id: z.string() }),
      execute: () => {
        throw new Error('tool exploded');
      },
    });
    const model = new ScriptedAgentsModel([[call('c-x', 'explode', { id: 'x' })]]);
    await start(orbitAgents.agent(new Agent({ name: 'a', model, tools: [explode] })), 't-explode-options');
    expect(outputs(model)['c-x']).toContain('tool exploded');
    expect(sink.events.filter((e) => e.event === 'outcome' && e.call_id === 'c-x')).toEqual([
      expect.objectContaining({ status: 'error' }),
    ]);
  });
});
