// run(agent, input, { stream: true }): the same decisions, the same interruptions and answers.
import { run } from '@openai/agents';
import { describe, expect, it } from 'vitest';
import { call, decisionOf, deploy, scriptedAgent, sdkToolOptions } from '../test/support.js';
import { haltOf, orbitContext, orbitOpenAIAgents } from './index.js';

describe('streamed runs', () => {
  it('pauses a streamed run as the SDK interruption and resumes it streamed, deciding each call once', async () => {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const { agent } = scriptedAgent(
      orbitAgents,
      [[call('c-read', 'read', { id: 'r' }), call('c-send', 'send', { id: 's' }, 0.5)]],
      [orbitAgents.tool(options.read), orbitAgents.tool(options.send)],
      { usage: 10 },
    );
    const first = await run(agent, 'go', { context: orbitContext('t-stream'), stream: true });
    for await (const _event of first) {
      // drained: the SDK runs the step while the stream is read
    }
    await first.completed;
    expect(first.interruptions.map((i) => i.name)).toEqual(['send']);
    expect(options.ran).toEqual(['read:r']);
    const [pending] = await orbitAgents.pendingApprovals(first);
    await orbitAgents.answer(first.state, pending!, { type: 'approve' });
    const second = await run(agent, first.state, { stream: true });
    for await (const _event of second) {
      // drained
    }
    await second.completed;
    expect(second.finalOutput).toBe('done');
    expect(options.ran).toEqual(['read:r', 'send:s']);
    expect(decisionOf('c-send', sink).decision).toBe('pause');
    expect(orbitAgents.runOf('t-stream').ledger.tokens).toBe(20);
  });

  it('ends a streamed run with the halt', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const { agent } = scriptedAgent(
      orbitAgents,
      [[call('c-merge', 'merge', { id: 'm' })]],
      [orbitAgents.tool(options.merge)],
    );
    const streamed = await run(agent, 'go', { context: orbitContext('t-stream-halt'), stream: true });
    const error = await (async () => {
      for await (const _event of streamed) {
        // drained
      }
      await streamed.completed;
    })().catch((caught: unknown) => caught);
    expect(haltOf(error ?? streamed.error)?.decision.reasons).toEqual(['tool_explicitly_blocked']);
    expect(options.ran).toEqual([]);
  });
});
