// Second review, halts and stops around agents-as-tools called in parallel: a person's stop_run on one
// of two parallel sub-agent pauses, a policy halt inside one while a sibling tool runs, and the SDK's
// re-evaluation of a stopped call after a restore.

import { Agent, type Model, type ModelRequest, RunState, run, Usage } from '@openai/agents';
import { describe, expect, it } from 'vitest';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, deploy, outputs, sdkToolOptions, start } from '../test/support.js';
import { haltOf, orbitOpenAIAgents } from './index.js';

/** A sub-agent's model: one call of `tool`, its id named after the input (each invocation its own id), then `found`. */
function perInvocation(tool: string, args: Record<string, unknown>): Model {
  return {
    async getResponse(request: ModelRequest) {
      const input = typeof request.input === 'string' ? [] : request.input;
      const asked = JSON.stringify(
        (input as { role?: string; content?: unknown }[]).find((item) => item.role === 'user')?.content ??
          request.input,
      ).replace(/[^a-z0-9]/gi, '');
      const usage = new Usage({ requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: 0 });
      const done = (input as { type?: string }[]).some((item) => item.type === 'function_call_result');
      if (done)
        return {
          usage,
          output: [
            {
              type: 'message',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: 'found' }],
            },
          ],
        };
      return {
        usage,
        output: [
          {
            type: 'function_call',
            callId: `k-${asked}`,
            name: tool,
            arguments: JSON.stringify(args),
            status: 'completed',
          },
        ],
      };
    },
    getStreamedResponse() {
      throw new Error('not streamed');
    },
  } as Model;
}

describe('a person’s stop_run inside one of two parallel agent-as-tool invocations', () => {
  it('stops the whole run: the sibling invocation’s approved call does not run after the stop', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const researcher = new Agent({
      name: 'researcher',
      model: perInvocation('send', { id: 's', confidence: 0.5 }),
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
    const paused = await start(lead, 't-stop-parallel');
    const [first, second] = await orbitAgents.pendingApprovals(paused);
    expect(first!.orbit!.run_id).not.toBe(second!.orbit!.run_id);
    await orbitAgents.answer(paused.state, first!, { type: 'deny', stop_run: true });
    await orbitAgents.answer(paused.state, second!, { type: 'approve' });
    const state = await RunState.fromString(lead, paused.state.toString());
    const error = await run(lead, state).catch((caught: unknown) => caught);
    expect(haltOf(error)?.decision.reasons).toContain('approval_denied');
    expect(tools.ran).toEqual([]);
    expect(orbitAgents.runOf('t-stop-parallel').halted).toBe(true);
  });
});

describe('a policy halt inside an agent-as-tool called in parallel with another tool', () => {
  it('ends the sub-agent only: the sibling runs, the caller’s model reads the refusal and finishes', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const researcher = new Agent({
      name: 'researcher',
      model: new ScriptedAgentsModel([[call('k-merge', 'merge', { id: 'm' })]], 'found'),
      tools: [orbitAgents.tool(tools.merge)],
    });
    const research = orbitAgents.subAgent(researcher, {
      profile: 'researcher',
      toolName: 'research',
      toolDescription: 'r',
    });
    const model = new ScriptedAgentsModel([
      [call('p-r', 'research', { input: 'x' }), call('c2', 'read', { id: 'sibling' })],
    ]);
    const lead = orbitAgents.agent(
      new Agent({ name: 'lead', model, tools: [research, orbitAgents.tool(tools.read)] }),
    );
    const result = await start(lead, 't-halt-parallel');
    expect(result.finalOutput).toBe('done');
    expect(tools.ran).toEqual(['read:sibling']);
    expect(JSON.parse(outputs(model)['p-r']!)).toMatchObject({
      refused: true,
      reasons: ['tool_explicitly_blocked'],
    });
  });
});

describe('the SDK’s re-evaluation of needsApproval after a restore', () => {
  it('ends a resumed run with the person’s stop (a RunHaltedError haltOf finds), the other paused call not run', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const model = new ScriptedAgentsModel([
      [call('c1', 'send', { id: 'a' }, 0.5), call('c2', 'send', { id: 'b' }, 0.5)],
    ]);
    const agent = orbitAgents.agent(
      new Agent({ name: 'mailer', model, tools: [orbitAgents.tool(tools.send)] }),
    );
    const paused = await start(agent, 't-reevaluated');
    const state = await RunState.fromString(agent, paused.state.toString());
    const [first, second] = await orbitAgents.pendingApprovals(state);
    await orbitAgents.answer(state, first!, { type: 'deny', stop_run: true });
    await orbitAgents.answer(state, second!, { type: 'approve' });
    const error = await run(agent, state).catch((caught: unknown) => caught);
    expect(haltOf(error)?.decision).toMatchObject({
      call_id: 'c1',
      reasons: expect.arrayContaining(['approval_denied']),
    });
    expect(tools.ran).toEqual([]);
  });
});
