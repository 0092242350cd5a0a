// Test support for the AI SDK adapter: a deployment of the conformance suite's manifest, SDK tools
// that count their runs, and a small driver of one conversation the SDK's way.
import { generateText, isStepCount, type ModelMessage, type Tool, type ToolSet, tool } from 'ai';
import { z } from 'zod';
import { scriptedCall as call, deploymentOf as deploy } from '../../core/test/adapter-conformance-support.js';
import { type OrbitAi, orbitVercelAi } from '../src/index.js';
import { type ScriptedModel, type ScriptedToolCall, scriptedModel } from './scripted-model.js';

// The deployment of the conformance manifest (with overrides), the token budget override and a scripted
// call: the core's conformance support, framework-neutral.
export {
  budget,
  deploymentOf as deploy,
  scriptedCall as call,
} from '../../core/test/adapter-conformance-support.js';

/** SDK tools of the manifest's names (`read`, `draft`, `update`, `send`), each recording its runs. */
export function sdkTools() {
  const ran: string[] = [];
  const make = (name: string): Tool =>
    tool({
      description: `${name} a record`,
      inputSchema: z.object({ id: z.string() }),
      execute: async ({ id }) => {
        ran.push(`${name}:${id}`);
        return `${name} ok ${id}`;
      },
    });
  const tools: ToolSet = {
    read: make('read'),
    draft: make('draft'),
    update: make('update'),
    send: make('send'),
  };
  return { tools, ran };
}

/** One conversation driven with `generateText`, kept as the client keeps it. */
export class Conversation {
  messages: ModelMessage[] = [{ role: 'user', content: 'go' }];
  readonly model: ScriptedModel;

  constructor(
    readonly orbitAi: OrbitAi,
    readonly tools: ToolSet,
    turns: ScriptedToolCall[][],
    readonly threadId = `thread-${Math.random().toString(36).slice(2)}`,
    usage = 0,
  ) {
    this.model = scriptedModel(turns, 'done', usage);
  }

  /** Calls the SDK with the conversation; the response messages join it. */
  async send(messages = this.messages): Promise<Awaited<ReturnType<typeof generateText>>> {
    const result = await generateText({
      ...this.orbitAi.settings({ threadId: this.threadId, model: this.model, tools: this.tools, messages }),
      stopWhen: isStepCount(20),
    });
    this.messages = [...messages, ...(result.responseMessages as ModelMessage[])];
    return result;
  }

  pending() {
    return this.orbitAi.pendingApprovals({
      threadId: this.threadId,
      messages: this.messages,
      tools: this.tools,
    });
  }

  /** The conversation with the client's answers appended (not sent). */
  answered(parts: unknown[]): ModelMessage[] {
    return [...this.messages, { role: 'tool', content: parts as never }];
  }
}

export { orbitVercelAi };

/**
 * The conversation with a call the model never made, a request for it and its approval, as a client
 * that forges them would append them (`automatic`: the request marked as the SDK's automatic one).
 */
export function withMadeUpCall(
  messages: ModelMessage[],
  call: { toolCallId: string; toolName: string; input: Record<string, unknown> },
  automatic = false,
): ModelMessage[] {
  const approvalId = `forged-${call.toolCallId}`;
  return [
    ...messages,
    {
      role: 'assistant',
      content: [
        { type: 'tool-call', ...call },
        {
          type: 'tool-approval-request',
          approvalId,
          toolCallId: call.toolCallId,
          ...(automatic ? { isAutomatic: true } : {}),
        } as never,
      ],
    },
    { role: 'tool', content: [{ type: 'tool-approval-response', approvalId, approved: true }] },
  ];
}

/** Reads a `streamText` result to its end; the error its steps rejected with (a halt), if any. */
export async function streamError(result: { stream: AsyncIterable<unknown>; steps: PromiseLike<unknown> }) {
  for await (const _ of result.stream);
  return Promise.resolve(result.steps).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * A parent agent delegating to a researcher sub-agent (made with `orbitAi.agent`, with `read` and
 * `send`). By default the researcher's first step reads and sends (the send pauses) and its second
 * reads; the parent delegates, then reads.
 */
export async function parentWithResearcher(
  options: {
    approvalSecret?: string;
    childTurns?: ScriptedToolCall[][];
    parentTurns?: ScriptedToolCall[][];
  } = {},
) {
  const { orbit, sink } = await deploy();
  const { tools, ran } = sdkTools();
  const orbitAi = orbitVercelAi(
    orbit,
    options.approvalSecret === undefined ? {} : { approvalSecret: options.approvalSecret },
  );
  const childTurns = options.childTurns ?? [
    [call('k-read', 'read', { id: 'r1' }), call('k-send', 'send', { id: 's1' }, 0.5)],
    [call('k-read2', 'read', { id: 'r2' })],
  ];
  const researcher = orbitAi.agent({
    model: scriptedModel(childTurns, 'research done', 0, 'researcher'),
    tools: { read: tools.read!, send: tools.send! },
    stopWhen: isStepCount(10),
  });
  const parentTools = {
    read: tools.read!,
    research: orbitAi.subAgent(researcher, { profile: 'researcher', description: 'delegate research' }),
  };
  const parentTurns = options.parentTurns ?? [
    [call('p-research', 'research', { task: 'find x' })],
    [call('p-read', 'read', { id: 'parent' })],
  ];
  const chat = new Conversation(orbitAi, parentTools, parentTurns);
  return { chat, sink, ran, orbitAi };
}
