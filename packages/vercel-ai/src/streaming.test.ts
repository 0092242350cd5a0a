// streamText and the UI message stream (what useChat reads): ORBIT's pauses travel as the SDK's
// approval requests with ORBIT's reasons, and a chat UI's answer resumes the stream.
import {
  convertToModelMessages,
  isStepCount,
  readUIMessageStream,
  streamText,
  type UIMessage,
  type UIMessageChunk,
} from 'ai';
import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scripted-model.js';
import { call, deploy, orbitVercelAi, sdkTools } from '../test/support.js';
import { haltOf } from './index.js';

/** Collects a UI message stream: its chunks and the last assistant message it builds. */
async function collect(stream: ReadableStream<UIMessageChunk>) {
  const [forChunks, forMessage] = stream.tee();
  const chunks: UIMessageChunk[] = [];
  const reader = forChunks.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  let message: UIMessage | undefined;
  for await (const built of readUIMessageStream({ stream: forMessage })) message = built;
  return { chunks, message: message! };
}

describe('streaming to a chat UI', () => {
  it('streams a pause with ORBIT reason to the UI, and the UI answer resumes it', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const threadId = 'chat-1';
    const model = scriptedModel(
      [[call('c-read', 'read', { id: 'r' }), call('c-send', 'send', { id: 's' }, 0.5)]],
      'sent it',
    );
    const user: UIMessage = { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'send the report' }] };

    // The chat route: the UI's messages in, the UI message stream out.
    const route = async (uiMessages: UIMessage[]) => {
      const messages = await convertToModelMessages(uiMessages);
      const result = streamText({
        ...orbitAi.settings({ threadId, model, tools, messages }),
        stopWhen: isStepCount(10),
      });
      return collect(result.toUIMessageStream());
    };

    const first = await route([user]);
    expect(ran).toEqual(['read:r']);
    const request = first.chunks.find((c) => c.type === 'tool-approval-request');
    expect(request).toMatchObject({ toolCallId: 'c-send' });
    expect((request as { reason?: string }).reason).toMatch(
      /^ORBIT paused "send" \(irreversible, confidence 0.5\): confidence_below_floor/,
    );
    const part = first.message.parts.find((p) => p.type === 'tool-send') as Record<string, unknown> & {
      approval: { id: string; requestReason?: string };
    };
    expect(part).toMatchObject({ state: 'approval-requested', toolCallId: 'c-send' });
    expect(part.approval.requestReason).toContain('confidence_below_floor');

    // useChat's addToolApprovalResponse: the part's state and the approval's answer.
    const answered: UIMessage = {
      ...first.message,
      parts: first.message.parts.map((p) =>
        p === (part as unknown)
          ? { ...part, state: 'approval-responded', approval: { ...part.approval, approved: true } }
          : p,
      ) as UIMessage['parts'],
    };
    const second = await route([user, answered]);
    expect(ran).toEqual(['read:r', 'send:s']);
    expect(second.chunks).toContainEqual(
      expect.objectContaining({ type: 'tool-output-available', toolCallId: 'c-send', output: 'send ok s' }),
    );
    expect(
      sink.events.filter((e) => e.event === 'approval' && e.call_id === 'c-send').map((e) => e.approval),
    ).toEqual(['requested', 'approve']);
    expect(sink.events.filter((e) => e.event === 'decision' && e.call_id === 'c-send')).toHaveLength(1);
  });

  it('ends the stream at the halt: an abort part, the result rejects with the RunHaltedError, nothing after it runs', async () => {
    const { orbit } = await deploy();
    const { tools, ran } = sdkTools();
    const orbitAi = orbitVercelAi(orbit);
    const model = scriptedModel([
      [call('c-merge', 'merge', { id: 'm' })],
      [call('c-read', 'read', { id: 'r' })],
    ]);
    const result = streamText({
      ...orbitAi.settings({ threadId: 'chat-2', model, tools: { ...tools, merge: tools.draft! } }),
      prompt: 'go',
      stopWhen: isStepCount(10),
    });
    // ORBIT aborts the call with the halt: the stream ends with an abort part, the result rejects with it.
    const parts: string[] = [];
    for await (const part of result.stream) parts.push(part.type);
    expect(parts.at(-1)).toBe('abort');
    const steps = await result.steps.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(haltOf(steps)?.decision.reasons).toEqual(['tool_explicitly_blocked']);
    expect(ran).toEqual([]);
    expect(model.prompts).toHaveLength(1);
  });
});
