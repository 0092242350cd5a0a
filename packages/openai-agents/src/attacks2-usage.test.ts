// Second review, usage a provider reports: token counts as strings, Infinity, NaN and negative totals,
// and an agent-as-tool's requests counted to the run they were made for, once.

import { Agent, Usage } from '@openai/agents';
import { describe, expect, it } from 'vitest';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { budget, call, deploy, sdkToolOptions, start } from '../test/support.js';
import { haltOf, orbitOpenAIAgents } from './index.js';

/** Three read turns under a hard budget of 1000 tokens, each response reporting `usages[i]` (the last repeats). */
async function reported(usages: ConstructorParameters<typeof Usage>[0][], threadId: string) {
  const { orbit } = await deploy(budget(1000, 'hard'));
  const orbitAgents = orbitOpenAIAgents(orbit);
  const tools = sdkToolOptions();
  const model = new ScriptedAgentsModel([
    [call('c1', 'read', { id: 'r1' })],
    [call('c2', 'read', { id: 'r2' })],
    [call('c3', 'read', { id: 'r3' })],
  ]);
  const reply = model.getResponse.bind(model);
  let responses = 0;
  model.getResponse = async (request) => ({
    ...(await reply(request)),
    usage: new Usage(usages[Math.min(responses++, usages.length - 1)]),
  });
  const agent = orbitAgents.agent(
    new Agent({ name: 'reader', model, tools: [orbitAgents.tool(tools.read)] }),
  );
  const outcome = await start(agent, threadId).catch((caught: unknown) => caught);
  return { outcome, ran: tools.ran, tokens: orbitAgents.runOf(threadId).ledger.tokens };
}

describe('token counts a provider reports', () => {
  it('counts numeric strings (the SDK keeps what the provider sent): a hard budget still halts', async () => {
    const { outcome, ran, tokens } = await reported(
      [{ requests: 1, inputTokens: '300', outputTokens: '300', totalTokens: '600' } as never],
      't-strings',
    );
    expect(haltOf(outcome)?.decision.reasons).toContain('token_budget_exceeded');
    expect(ran).toEqual(['read:r1']);
    expect(tokens).toBe(1200);
  });

  it('counts an Infinity as over any budget (the core drops what is not finite)', async () => {
    const { outcome, ran } = await reported(
      [{ requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: Number.POSITIVE_INFINITY }],
      't-infinity',
    );
    expect(haltOf(outcome)?.decision.reasons).toContain('token_budget_exceeded');
    expect(ran).toEqual([]);
  });

  // The SDK adds every response's total into one running total: after a NaN it is NaN for good, and a
  // negative total hides as many later tokens. ORBIT sees only that total for the tokens of responses
  // that report several requests at once (no per-request entry).
  it.skip.each([
    ['NaN', Number.NaN],
    ['negative', -5000],
  ])(
    'counts the tokens reported without a per-request entry after a %s total [not fixed: the SDK’s running total is all ORBIT sees]',
    async (_kind, total) => {
      const { outcome } = await reported(
        [
          { requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: total },
          { requests: 2, inputTokens: 0, outputTokens: 600, totalTokens: 600 },
        ],
        `t-bad-total-${_kind}`,
      );
      expect(haltOf(outcome)?.decision.reasons).toContain('token_budget_exceeded');
    },
  );
});

describe('an agent-as-tool’s requests', () => {
  it('count once, into the sub-agent’s run and (rolled up) its caller’s', async () => {
    const { orbit, sink } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    const researcher = new Agent({
      name: 'researcher',
      model: new ScriptedAgentsModel([[call('k-read', 'read', { id: 'k' })]], 'found', 10),
      tools: [orbitAgents.tool(tools.read)],
    });
    const research = orbitAgents.subAgent(researcher, {
      profile: 'researcher',
      toolName: 'research',
      toolDescription: 'r',
    });
    const lead = orbitAgents.agent(
      new Agent({
        name: 'lead',
        model: new ScriptedAgentsModel([[call('p-r', 'research', { input: 'x' })]], 'done', 1000),
        tools: [research],
      }),
    );
    await start(lead, 't-nested-usage');
    // lead: two responses of 1000; researcher: two of 10 (its call, its answer).
    expect(orbitAgents.runOf('t-nested-usage').ledger.tokens).toBe(2020);
    const ended = sink.events.find(
      (e) => e.event === 'run' && e.run_id !== 't-nested-usage' && e.run === 'ended',
    );
    expect(ended).toMatchObject({ tokens: 20 });
  });
});
