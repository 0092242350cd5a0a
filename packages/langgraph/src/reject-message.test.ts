import type { BaseMessage, ToolMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { Command, MemorySaver } from '@langchain/langgraph';
import { createAgent, humanInTheLoopMiddleware, tool } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf, type ScriptedCall, ScriptedChatModel } from '../test/support.js';
import { orbitLangGraph } from './orbit-langgraph.js';
import { pendingApprovals, resumeWith } from './resume.js';

const input = { messages: [{ role: 'user', content: 'go' }] };
const paused: ScriptedCall[][] = [[{ name: 'send', args: { id: 'x', confidence: 0.5 }, id: 'c1' }]];

/** A scripted model that keeps the conversation it was given at each turn: what the model saw. */
class SeeingModel extends ScriptedChatModel {
  seen: BaseMessage[][] = [];
  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push(messages);
    return super._generate(messages);
  }
}

const sendTool = (executed: string[]) =>
  tool(
    async ({ id }: { id: string }) => {
      executed.push(`send:${id}`);
      return `send ok ${id}`;
    },
    { name: 'send', description: 'send', schema: z.object({ id: z.string() }) },
  );

/** The tool message for `c1` in the last conversation the model saw. */
function seenToolMessage(model: SeeingModel): ToolMessage {
  const last = model.seen.at(-1)!;
  return last.find((message) => message.getType() === 'tool') as ToolMessage;
}

async function orbitAgent(thread: string) {
  const { orbit, sink } = await orbitOf();
  const orbitLg = orbitLangGraph(orbit);
  const executed: string[] = [];
  const model = new SeeingModel(paused);
  const agent = createAgent({
    model,
    tools: [sendTool(executed)],
    middleware: [orbitLg.middleware()],
    checkpointer: new MemorySaver(),
  });
  const config = { configurable: { thread_id: thread } };
  const first = await agent.invoke(input, config);
  return { agent, config, first, model, sink, executed };
}

describe("a LangChain reject's message", () => {
  it("reaches the model as the ToolMessage's content, as LangChain's humanInTheLoopMiddleware gives it", async () => {
    const message = 'Wrong vendor: flag it for review instead';

    // LangChain's own middleware, for the same call and the same reject.
    const langchainModel = new SeeingModel(paused);
    const langchain = createAgent({
      model: langchainModel,
      tools: [sendTool([])],
      middleware: [humanInTheLoopMiddleware({ interruptOn: { send: true } })],
      checkpointer: new MemorySaver(),
    });
    const lcConfig = { configurable: { thread_id: 'langchain-reject' } };
    await langchain.invoke(input, lcConfig);
    await langchain.invoke(new Command({ resume: { decisions: [{ type: 'reject', message }] } }), lcConfig);
    const expected = seenToolMessage(langchainModel);

    const { agent, config, first, model, sink, executed } = await orbitAgent('orbit-reject');
    await agent.invoke(
      resumeWith(first, () => ({ type: 'reject', message, approver: 'maria' })),
      config,
    );
    const seen = seenToolMessage(model);

    expect(executed).toEqual([]);
    expect(seen.content).toBe(message);
    expect({ content: seen.content, status: seen.status, name: seen.name, id: seen.tool_call_id }).toEqual({
      content: expected.content,
      status: expected.status,
      name: expected.name,
      id: expected.tool_call_id,
    });
    // Still the audit comment, on a denial.
    expect(sink.events.find((e) => e.event === 'approval' && e.approval === 'deny')).toMatchObject({
      approver: 'maria',
      comment: message,
    });
    expect(sink.events.find((e) => e.event === 'outcome')).toMatchObject({
      status: 'not_executed',
      reasons: ['confidence_below_floor', 'irreversible_action', 'approval_denied'],
    });
  });

  it("is left out when there is none: the model gets ORBIT's structured refusal", async () => {
    const { agent, config, first, model } = await orbitAgent('orbit-reject-bare');
    await agent.invoke(
      resumeWith(first, () => ({ type: 'reject' })),
      config,
    );
    const seen = seenToolMessage(model);
    expect(seen.status).toBe('error');
    expect(JSON.parse(String(seen.content))).toMatchObject({
      refused: true,
      reasons: expect.arrayContaining(['approval_denied']),
    });
  });

  it('of the wrong type is refused and asked again, naming the field; the invoke does not reject', async () => {
    const { agent, config, first, executed } = await orbitAgent('orbit-reject-bad');
    const bad = await agent.invoke(
      resumeWith(first, () => ({ type: 'reject', message: 42 as never })),
      config,
    );
    const [again] = pendingApprovals(bad);
    expect(again!.value.orbit.error).toMatch(/comment/);
    const rejected = await agent.invoke(
      resumeWith(bad, () => ({ type: 'reject', message: 'no' })),
      config,
    );
    expect(pendingApprovals(rejected)).toEqual([]);
    expect(executed).toEqual([]);
  });
});
