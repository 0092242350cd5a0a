import { Agent, run, setTracingDisabled } from '@openai/agents';
import { TrustAuthority } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, deployment, eventsOf, toolkit } from '../../core/test/adapter-conformance-support.js';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { orbitContext, orbitOpenAIAgents } from './index.js';

setTracingDisabled(true);

const asTask = {
  parameters: z.object({ task: z.string() }),
  inputBuilder: ({ params }: { params: unknown }) => (params as { task: string }).task,
};

describe('an agent-as-tool whose own delegation halts it', () => {
  it("tells the caller's model ORBIT's refusal, not the SDK's generic tool error", async () => {
    const { orbit, sink } = await deployment({ trust: await TrustAuthority.ephemeral() });
    const orbitAgents = orbitOpenAIAgents(orbit);
    const kit = toolkit();
    const helper = new Agent({
      name: 'helper',
      model: new ScriptedAgentsModel([], 'helped'),
      tools: [orbitAgents.tool(kit.tools.read)],
    });
    // The researcher profile may not delegate: its call of ask_helper halts its run.
    const researcher = new Agent({
      name: 'researcher',
      model: new ScriptedAgentsModel(
        [
          [{ id: 'r-1', name: 'read', args: call('r-1', 'read', { id: 'a' }).args }],
          [{ id: 'r-2', name: 'ask_helper', args: { task: 'help' } }],
        ],
        'researched',
      ),
      tools: [
        orbitAgents.tool(kit.tools.read),
        orbitAgents.subAgent(helper, {
          profile: 'researcher',
          agentId: 'helper',
          toolName: 'ask_helper',
          ...asTask,
        }),
      ],
    });
    const model = new ScriptedAgentsModel(
      [[{ id: 'p-1', name: 'research', args: { task: 'look' } }]],
      'done',
    );
    const parent = orbitAgents.agent(
      new Agent({
        name: 'parent',
        model,
        tools: [orbitAgents.subAgent(researcher, { profile: 'researcher', toolName: 'research', ...asTask })],
      }),
    );

    const result = await run(parent, 'go', { context: orbitContext('thread-spawn-halt') });

    expect(result.finalOutput).toBe('done');
    const told = model.lastOutputs().get('p-1')!;
    expect(JSON.parse(told)).toMatchObject({
      refused: true,
      tool: 'spawn_sub_agent',
      decision: 'halt',
      reasons: ['spawn_not_permitted'],
      message: expect.stringContaining('The sub-agent was halted by ORBIT'),
    });
    expect(kit.runs('read')).toBe(1);
    const researcherRun = eventsOf(sink, 'run').filter((event) => event.agent_id === 'researcher');
    expect(researcherRun.map((event) => event.run)).toEqual(['started', 'halted']);
  });
});
