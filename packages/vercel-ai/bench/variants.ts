// What the bench times: one generateText per sample, with the AI SDK alone, with the SDK's own hooks doing
// nothing (the control), and with ORBIT; and the approval round trip (pause, answer, resume) with the SDK's
// own approval and with ORBIT's. Each builder checks nothing; the checks below run once, untimed.
import { type AuditSink, type LoadedManifest, MemorySink } from '@orbit-agents/core';
import { generateText, isStepCount, type ModelMessage, wrapLanguageModel } from 'ai';
import type { TimedVariant } from '../../../bench/lib/end-to-end.js';
import type { TimedRoundTrip } from '../../../bench/lib/round-trips.js';
import { checkProceedDecisions } from '../../../bench/lib/sinks.js';
import { scriptedModel } from '../test/scripted-model.js';
import { approvalResponse, type OrbitAi } from './adapter.js';
import {
  bindingOf,
  readTool,
  readToolOnce,
  type Shape,
  type SinkKind,
  sendTool,
  sendToolOnce,
} from './setup.js';

/** What the checks read of a `generateText` result. */
interface Result {
  readonly text: string;
  readonly finishReason: string;
  readonly content: readonly { readonly type: string }[];
  readonly steps: readonly {
    readonly content: readonly { readonly type: string; readonly output?: unknown }[];
  }[];
  readonly responseMessages: readonly ModelMessage[];
}

const INPUT: ModelMessage[] = [{ role: 'user', content: 'go' }];
const STOP = isStepCount(20);

export type VariantKey = 'sdk' | 'sdkOnce' | 'hooks' | 'orbit' | 'orbitMemory' | 'orbitJsonl';

/** One way of running a shape: its invoke is one `generateText` on a fresh thread. */
export interface Variant extends TimedVariant<Result> {
  key: VariantKey;
  binding?: OrbitAi;
  sink?: AuditSink;
}

/** The six variants of one shape, each ORBIT variant with its own binding. */
export function variantsOf(shape: Shape, manifest: LoadedManifest): Variant[] {
  const model = scriptedModel(shape.turns);
  const tools = { read: readTool };
  const plain = (key: VariantKey, label: string, invoke: Variant['invoke']): Variant => ({
    key,
    label,
    invoke,
    after: async () => {},
    samples: { wall: [], cpu: [] },
  });
  const orbit = (key: VariantKey, label: string, kind: SinkKind): Variant => {
    const { orbitAi, sink } = bindingOf(manifest, kind);
    return {
      key,
      label,
      binding: orbitAi,
      sink,
      invoke: (threadId) =>
        generateText({ ...orbitAi.settings({ threadId, model, tools, messages: INPUT }), stopWhen: STOP }),
      after: async (threadId) => {
        await orbitAi.endRun(threadId);
        if (sink instanceof MemorySink) sink.events.length = 0;
      },
      samples: { wall: [], cpu: [] },
    };
  };
  return [
    plain('sdk', 'generateText, zod tool (AI SDK alone)', () =>
      generateText({ model, tools, messages: INPUT, stopWhen: STOP }),
    ),
    plain('sdkOnce', 'generateText, JSON schema made once (AI SDK alone)', () =>
      generateText({ model, tools: { read: readToolOnce }, messages: INPUT, stopWhen: STOP }),
    ),
    plain('hooks', "generateText, JSON schema made once, + ORBIT's SDK hooks doing nothing", () =>
      generateText({
        // What settings() spreads, each a pass-through: a wrapped model, toolApproval, prepareStep, an abort signal.
        model: wrapLanguageModel({ model, middleware: { wrapGenerate: ({ doGenerate }) => doGenerate() } }),
        tools: { read: readToolOnce },
        messages: INPUT,
        stopWhen: STOP,
        toolApproval: async () => 'not-applicable' as const,
        prepareStep: async () => undefined,
        abortSignal: new AbortController().signal,
      }),
    ),
    orbit('orbit', 'generateText + ORBIT (zod tool), no sink', 'none'),
    orbit('orbitMemory', 'generateText + ORBIT (zod tool), MemorySink', 'memory'),
    orbit('orbitJsonl', 'generateText + ORBIT (zod tool), JSONL sink', 'jsonl'),
  ];
}

/**
 * After one invoke: every call ran the tool (nothing refused, paused or failed), the model finished, and a
 * sink holds one `proceed` decision per call (run it on a fresh sink: the first invoke).
 *
 * @throws Error naming the variant and what it did instead.
 */
export function checkInvoke(variant: Variant, shape: Shape, result: Result): void {
  const parts = result.steps.flatMap((step) => step.content);
  const outputs = parts.filter((part) => part.type === 'tool-result').map((part) => String(part.output));
  const ok =
    result.text === 'done' &&
    outputs.length === shape.calls &&
    outputs.every((output) => output.startsWith('ok r')) &&
    !parts.some((part) => part.type === 'tool-error' || part.type === 'tool-approval-request');
  if (!ok)
    throw new Error(
      `bench setup: ${variant.label} did not run its ${shape.calls} calls: ${JSON.stringify(parts)}`,
    );
  if (variant.sink) checkProceedDecisions(variant.label, variant.sink, shape.calls);
}

/** One approval round trip: the call that pauses, the answer, the call that resumes and runs the tool; its result: the two results. */
export type RoundTrip = TimedRoundTrip<{ paused: Result; resumed: Result }>;

/**
 * The SDK's own approval (`toolApproval: { send: 'user-approval' }`), with the zod tool and with its schema made
 * once, and ORBIT's (an irreversible call below its threshold, the zod tool).
 */
export function roundTrips(manifest: LoadedManifest): RoundTrip[] {
  const model = scriptedModel([[{ id: 'call-send', name: 'send', args: { id: 'x', confidence: 0.8 } }]]);
  const tools = { send: sendTool };
  const { orbitAi } = bindingOf(manifest, 'none');
  const sdkApproval = (label: string, send: typeof sendTool): RoundTrip => ({
    label,
    run: async () => {
      const ask = {
        model,
        tools: { send },
        stopWhen: STOP,
        toolApproval: { send: 'user-approval' as const },
      };
      const paused = await generateText({ ...ask, messages: INPUT });
      const content = paused.content.flatMap((part) =>
        part.type === 'tool-approval-request'
          ? [{ type: 'tool-approval-response' as const, approvalId: part.approvalId, approved: true }]
          : [],
      );
      const messages: ModelMessage[] = [...INPUT, ...paused.responseMessages, { role: 'tool', content }];
      return { paused, resumed: await generateText({ ...ask, messages }) };
    },
    after: async () => {},
    samples: { wall: [], cpu: [] },
  });
  return [
    sdkApproval("AI SDK's own approval, zod tool", sendTool),
    sdkApproval("AI SDK's own approval, JSON schema made once", sendToolOnce),
    {
      label: 'ORBIT (pause, pendingApprovals, approvalResponse, resume)',
      run: async (threadId) => {
        const paused = await generateText({
          ...orbitAi.settings({ threadId, model, tools, messages: INPUT }),
          stopWhen: STOP,
        });
        const all = [...INPUT, ...paused.responseMessages];
        const pending = await orbitAi.pendingApprovals({ threadId, messages: all, tools });
        const content = pending.map((p) => approvalResponse(p, { type: 'approve', approver: 'bench' }));
        const messages: ModelMessage[] = [...all, { role: 'tool', content }];
        const resumed = await generateText({
          ...orbitAi.settings({ threadId, model, tools, messages }),
          stopWhen: STOP,
        });
        return { paused, resumed };
      },
      after: (threadId) => orbitAi.endRun(threadId),
      samples: { wall: [], cpu: [] },
    },
  ];
}

/**
 * After one round trip: the first call paused on one approval request, the second ran the tool and finished.
 *
 * @throws Error naming the round trip and what it did instead.
 */
export function checkRoundTrip(
  label: string,
  { paused, resumed }: { paused: Result; resumed: Result },
): void {
  const requests = paused.content.filter((part) => part.type === 'tool-approval-request');
  const ran = resumed.responseMessages.some(
    (message) =>
      message.role === 'tool' &&
      message.content.some(
        (part) =>
          part.type === 'tool-result' && part.output.type === 'text' && part.output.value === 'sent x',
      ),
  );
  if (paused.finishReason !== 'tool-calls' || requests.length !== 1 || !ran || resumed.text !== 'done')
    throw new Error(
      `bench setup: ${label} did not pause and resume: ${JSON.stringify({ paused: paused.content, resumed: resumed.responseMessages })}`,
    );
}
