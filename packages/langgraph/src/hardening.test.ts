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
