import { MemorySaver } from '@langchain/langgraph';
import { createAgent, tool } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf, ScriptedChatModel } from '../test/support.js';
import { orbitLangGraph } from './orbit-langgraph.js';

// Issue 11 (hardening), the adapter's side: each test fails on the code before its fix.

describe('a malformed argument to a LangChain tool whose manifest entry has resources', () => {
  it('is a refusal the model can correct, not a halt; the corrected call runs', async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [
        { name: 'update', max_calls_per_run: 5, reversibility: 'partial', resources: ['invoice:*'] },
      ],
      delegation: undefined,
    });
    const orbitLg = orbitLangGraph(orbit, {
      tools: { update: { resource: (args) => `invoice:${String(args.invoice_id)}` } },
    });
    const ran: string[] = [];
    const update = tool(
      async ({ invoice_id }: { invoice_id: string }) => {
        ran.push(invoice_id);
        return `updated ${invoice_id}`;
      },
      { name: 'update', description: 'update an invoice', schema: z.object({ invoice_id: z.string() }) },
    );
    const agent = createAgent({
      model: new ScriptedChatModel([
        [{ name: 'update', args: { invoice_id: 42, confidence: 0.99 }, id: 'c-bad' }],
        [{ name: 'update', args: { invoice_id: 'INV-1', confidence: 0.99 }, id: 'c-good' }],
      ]),
      tools: [update],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: 'malformed-1' } };
    const result = await agent.invoke({ messages: [{ role: 'user', content: 'go' }] }, config);
    const bad = result.messages.find((m) => (m as { tool_call_id?: string }).tool_call_id === 'c-bad');
    expect(String(bad?.content)).toContain('input_invalid');
    expect(ran).toEqual(['INV-1']);
    expect(orbitLg.runOf(config).halted).toBe(false);
  });
});

describe('a LangChain tool bound to resources without a resource hint (issue 11, item 2)', () => {
  it('fails the first invoke before the model is asked, naming the tool and the hint', async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [
        { name: 'update', max_calls_per_run: 5, reversibility: 'partial', resources: ['invoice:*'] },
      ],
      delegation: undefined,
    });
    const model = new ScriptedChatModel([
      [{ name: 'update', args: { invoice_id: 'INV-1', confidence: 0.99 }, id: 'c1' }],
    ]);
    const update = tool(async () => 'updated', {
      name: 'update',
      description: 'update an invoice',
      schema: z.object({ invoice_id: z.string() }),
    });
    const agent = createAgent({
      model,
      tools: [update],
      middleware: [orbitLangGraph(orbit).middleware()],
      checkpointer: new MemorySaver(),
    });
    const invoked = agent.invoke(
      { messages: [{ role: 'user', content: 'go' }] },
      { configurable: { thread_id: 'h-2' } },
    );
    await expect(invoked).rejects.toThrow(
      /Tool "update" is bound to resources.*tools: \{ update: \{ resource/,
    );
    expect(model.calls).toBe(0);
  });

  it('fails at guardTools / toolNode (a hand-built graph), when the graph is built, naming the tool', async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [
        { name: 'update', max_calls_per_run: 5, reversibility: 'partial', resources: ['invoice:*'] },
      ],
      delegation: undefined,
    });
    const update = tool(async () => 'updated', {
      name: 'update',
      description: 'update an invoice',
      schema: z.object({ invoice_id: z.string() }),
    });
    const orbitLg = orbitLangGraph(orbit);
    expect(() => orbitLg.guardTools([update])).toThrow(/Tool "update" is bound to resources/);
    expect(() => orbitLg.toolNode([update])).toThrow(/Tool "update" is bound to resources/);
    const hinted = orbitLangGraph(orbit, {
      tools: { update: { resource: (args) => `invoice:${String(args.invoice_id)}` } },
    });
    expect(hinted.guardTools([update])).toHaveLength(1);
  });
});
