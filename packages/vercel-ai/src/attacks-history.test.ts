// Attacks and edge cases (from a review): what the model reads on later turns is what the conversation keeps.
import type { ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import {
  Conversation,
  call,
  deploy,
  orbitVercelAi,
  parentWithResearcher,
  sdkTools,
} from '../test/support.js';
import { approvalResponse } from './index.js';

/** The tool-result output of a call in a prompt or a conversation. */
function outputOf(messages: readonly { role: string; content: unknown }[], toolCallId: string) {
  for (const m of messages)
    if (m.role === 'tool')
      for (const p of m.content as { type: string; toolCallId?: string; output?: unknown }[])
        if (p.type === 'tool-result' && p.toolCallId === toolCallId) return p.output;
  return undefined;
}

describe('persisted history vs. what the model read', () => {
  it("a person's denial: the model reads ORBIT's refusal on the next turn too, not only in the call that delivered it", async () => {
    const { orbit } = await deploy();
    const { tools } = sdkTools();
    const chat = new Conversation(orbitVercelAi(orbit), tools, [
      [call('c-send', 'send', { id: 's' }, 0.5)],
      [],
    ]);
    await chat.send();
    const [pending] = await chat.pending();
    await chat.send(chat.answered([approvalResponse(pending!, { type: 'deny', reason: 'wrong customer' })]));
    const sawThen = JSON.stringify(outputOf(chat.model.prompts.at(-1)!, 'c-send'));
    expect(sawThen).toContain('approval_denied');
    // A later turn of the same thread: the user writes again.
    await chat.send([...chat.messages, { role: 'user', content: 'and now?' } as ModelMessage]);
    const sawLater = JSON.stringify(outputOf(chat.model.prompts.at(-1)!, 'c-send'));
    expect(sawLater).toBe(sawThen);
  });

  it("a denied sub-agent request: on later turns the parent's model still reads the sub-agent's result, not 'execution-denied'", async () => {
    const { chat, ran } = await parentWithResearcher({
      parentTurns: [[call('p-research', 'research', { task: 'x' })], []],
    });
    await chat.send();
    const [pending] = await chat.pending();
    await chat.send(chat.answered([approvalResponse(pending!, { type: 'deny', reason: 'not this one' })]));
    expect(ran).toEqual(['read:r1', 'read:r2']);
    expect(JSON.stringify(outputOf(chat.model.prompts.at(-1)!, 'p-research'))).toContain('research done');
    // The conversation the client keeps (result.responseMessages) is the SDK's own record (a denial);
    // on later turns, in this process, the model still reads what ORBIT settled: the sub-agent's result.
    const kept = JSON.stringify(outputOf(chat.messages, 'p-research'));
    expect(kept).toContain('execution-denied');
    await chat.send([...chat.messages, { role: 'user', content: 'summarise' } as ModelMessage]);
    const later = JSON.stringify(outputOf(chat.model.prompts.at(-1)!, 'p-research'));
    expect(later).toContain('research done');
  });
});
