// Attacks on the token budget: usage the SDK reports without per-request entries, and an agent cloned
// after ORBIT guarded it (the SDK's clone() copies no listener).

import { Agent, Usage } from '@openai/agents';
import { describe, expect, it } from 'vitest';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { budget, call, deploy, sdkToolOptions, start } from '../test/support.js';
import { haltOf, orbitOpenAIAgents } from './index.js';

describe('usage the SDK reports', () => {
  it('counts a response whose usage has no per-request entry (requests: 2): a hard budget still halts', async () => {
    const { orbit } = await deploy(budget(400, 'hard'));
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const model = new ScriptedAgentsModel([
      [call('c1', 'read', { id: 'r1' })],
      [call('c2', 'read', { id: 'r2' })],
    ]);
    const reply = model.getResponse.bind(model);
    // A provider that retried inside one response reports its requests together, with no entries: the SDK
    // adds the tokens to its totals only.
    model.getResponse = async (request) => ({
      ...(await reply(request)),
      usage: new Usage({ requests: 2, inputTokens: 100, outputTokens: 150, totalTokens: 250 }),
    });
    const agent = orbitAgents.agent(
      new Agent({ name: 'reader', model, tools: [orbitAgents.tool(options.read)] }),
    );
    const error = await start(agent, 't-no-entries').catch((caught: unknown) => caught);
    expect(haltOf(error)?.decision.reasons).toContain('token_budget_exceeded');
    expect(options.ran).toEqual(['read:r1']);
    expect(orbitAgents.runOf('t-no-entries').ledger.tokens).toBe(500);
  });

  it('counts the final response of a clone of a guarded agent (another model, the same tools)', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const options = sdkToolOptions();
    const guarded = orbitAgents.agent(
      new Agent({
        name: 'reader',
        model: new ScriptedAgentsModel([]),
        tools: [orbitAgents.tool(options.read)],
      }),
    );
    const clone = guarded.clone({
      model: new ScriptedAgentsModel([[call('c1', 'read', { id: 'r1' })]], 'done', 60),
    });
    await start(clone, 't-clone');
    expect(options.ran).toEqual(['read:r1']);
    expect(orbitAgents.runOf('t-clone').ledger.tokens).toBe(120);
  });
});
