// The SDK's usage (runContext.usage, kept inside RunState) feeds the run's token budget, each model
// request once: before the response's own calls are decided, across resumes, restores and replays.
import { RunState, run } from '@openai/agents';
import { describe, expect, it } from 'vitest';
import { budget, call, deploy, scriptedAgent, sdkToolOptions, start } from '../test/support.js';
import { haltOf, orbitOpenAIAgents } from './index.js';

async function setUp(
  mode: 'soft' | 'hard' | undefined,
  turns: Parameters<typeof scriptedAgent>[1],
  threadId: string,
) {
  const { orbit, sink } = await deploy(mode ? budget(100, mode) : {});
  const orbitAgents = orbitOpenAIAgents(orbit);
  const options = sdkToolOptions();
  const tools = [options.read, options.draft, options.send].map((o) => orbitAgents.tool(o));
  const { agent, model } = scriptedAgent(orbitAgents, turns, tools, { usage: 60 });
  return { orbitAgents, agent, model, sink, ran: options.ran, run: () => orbitAgents.runOf(threadId) };
}

describe('usage and the token budget', () => {
  it('counts each response before its calls are decided: over a hard budget they halt in the same step', async () => {
    const { agent, model, sink, ran } = await setUp(
      'hard',
      [
        [call('c1', 'read', { id: 'r1' })],
        [call('c2', 'draft', { id: 'd' })],
        [call('c3', 'read', { id: 'r2' })],
      ],
      't-hard',
    );
    const error = await start(agent, 't-hard').catch((caught: unknown) => caught);
    expect(haltOf(error)?.decision.reasons).toContain('token_budget_exceeded');
    expect(ran).toEqual(['read:r1']);
    expect(model.requests).toHaveLength(2);
    expect(sink.events.filter((e) => e.event === 'decision').map((e) => [e.call_id, e.decision])).toEqual([
      ['c1', 'proceed'],
      ['c2', 'halt'],
    ]);
  });

  it('pauses the call of a response over a soft budget; extend_budget lets it run', async () => {
    const {
      orbitAgents,
      agent,
      ran,
      run: orbitRun,
    } = await setUp(
      'soft',
      [[call('c1', 'read', { id: 'r1' })], [call('c2', 'draft', { id: 'd' })]],
      't-soft',
    );
    const paused = await start(agent, 't-soft');
    const [pending] = await orbitAgents.pendingApprovals(paused);
    expect(pending!.orbit).toMatchObject({
      call_id: 'c2',
      reasons: expect.arrayContaining(['token_budget_exceeded']),
    });
    await orbitAgents.answer(paused.state, pending!, { type: 'approve', extend_budget: { tokens: 1000 } });
    await run(agent, paused.state);
    expect(ran).toEqual(['read:r1', 'draft:d']);
    expect(orbitRun().ledger.tokens).toBe(180);
  });

  it('counts the final response (no tool call after it) when the agent ends', async () => {
    const { agent, run: orbitRun } = await setUp(undefined, [[call('c1', 'read', { id: 'r1' })]], 't-final');
    await start(agent, 't-final');
    expect(orbitRun().ledger.tokens).toBe(120);
  });

  it('counts nothing twice when a saved state is restored twice, in this process or in a new binding', async () => {
    const {
      orbitAgents,
      agent,
      run: orbitRun,
    } = await setUp(
      undefined,
      [[call('c1', 'send', { id: 's1' }, 0.8)], [call('c2', 'read', { id: 'r' })]],
      't-replay',
    );
    const paused = await start(agent, 't-replay');
    const saved = paused.state.toString();
    expect(orbitRun().ledger.tokens).toBe(60);
    for (let i = 0; i < 2; i++) {
      const state = await RunState.fromString(agent, saved);
      await orbitAgents.answer(state, (await orbitAgents.pendingApprovals(state))[0]!, { type: 'approve' });
      await run(agent, state);
      expect(orbitRun().ledger.tokens).toBe(180);
    }
  });

  it('counts a new run on the same thread that reuses the context object', async () => {
    const { agent, run: orbitRun } = await setUp(undefined, [[call('c1', 'read', { id: 'r1' })]], 't-again');
    const context = { orbit_thread: 't-again' };
    await run(agent, 'go', { context });
    expect(orbitRun().ledger.tokens).toBe(120);
    await run(agent, 'go again', { context });
    // The script's call c1 is in no conversation of the new run: it is asked again (a new response each time).
    expect(orbitRun().ledger.tokens).toBe(240);
  });
});
