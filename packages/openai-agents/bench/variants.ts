// What the bench times: one `run()` per sample, with the SDK alone, with what ORBIT switches on in the SDK
// doing nothing (the control), and with ORBIT; and the approval round trip (pause, answer, resume) with the
// SDK's own approval and with ORBIT's. Each builder checks nothing; the checks below run once, untimed.
import { Agent, type RunToolApprovalItem, run, tool } from '@openai/agents';
import { type AuditSink, type LoadedManifest, MemorySink } from '@orbit-agents/core';
import type { TimedVariant } from '../../../bench/lib/end-to-end.js';
import type { TimedRoundTrip } from '../../../bench/lib/round-trips.js';
import { checkProceedDecisions } from '../../../bench/lib/sinks.js';
import type { AnyAgent, AnyRunResult } from '../src/sdk-types.js';
import { orbitContext } from './adapter.js';
import { BenchModel } from './model.js';
import {
  bindingOf,
  controlTool,
  RUN_OPTIONS,
  readOptions,
  readTool,
  type Shape,
  type SinkKind,
  sendOptions,
} from './setup.js';

export type VariantKey =
  | 'sdk'
  | 'hooks'
  | 'hooksJson'
  | 'orbit'
  | 'orbitBuilt'
  | 'orbitMemory'
  | 'orbitJsonl';

/** One way of running a shape: its invoke is one `run()` on a fresh thread. */
export interface Variant extends TimedVariant<AnyRunResult> {
  key: VariantKey;
  sink?: AuditSink;
}

const agentOf = (shape: Shape, tools: AnyAgent['tools']): AnyAgent =>
  new Agent({ name: 'bench', instructions: 'Read the records.', model: new BenchModel(shape.turns), tools });

/** A control agent: `controlTool(json)`, and an `agent_end` listener doing nothing (ORBIT's counts usage there). */
function controlAgentOf(shape: Shape, json?: Record<string, unknown>): AnyAgent {
  const agent = agentOf(shape, [controlTool(json)]);
  agent.on('agent_end', () => {});
  return agent;
}

/** The seven variants of one shape, each ORBIT variant with its own binding. */
export function variantsOf(shape: Shape, manifest: LoadedManifest): Variant[] {
  const plain = (key: VariantKey, label: string, agent: AnyAgent): Variant => ({
    key,
    label,
    invoke: (threadId) => run(agent, 'go', { context: orbitContext(threadId), ...RUN_OPTIONS }),
    after: async () => {},
    samples: { wall: [], cpu: [] },
  });
  const orbit = (key: VariantKey, label: string, kind: SinkKind, built = false): Variant => {
    const { oa, sink } = bindingOf(manifest, kind);
    // oa.tool(options): ORBIT parses the zod input; a tool the SDK built keeps its own invoke (it parses again).
    const agent = oa.agent(agentOf(shape, [built ? readTool : oa.tool(readOptions)]));
    return {
      key,
      label,
      sink,
      invoke: (threadId) => run(agent, 'go', { context: orbitContext(threadId), ...RUN_OPTIONS }),
      after: async (threadId) => {
        await oa.endRun(threadId);
        if (sink instanceof MemorySink) sink.events.length = 0;
      },
      samples: { wall: [], cpu: [] },
    };
  };
  // The JSON schema ORBIT hands the SDK for `read` (the zod schema with the confidence argument).
  const json = bindingOf(manifest, 'none').oa.tool(readOptions).parameters as Record<string, unknown>;
  return [
    plain('sdk', 'run(), zod tool (SDK alone)', agentOf(shape, [readTool])),
    plain('hooks', 'control: zod tool + needsApproval, agent_end doing nothing', controlAgentOf(shape)),
    plain('hooksJson', 'control: ORBIT’s JSON schema + the same', controlAgentOf(shape, json)),
    orbit('orbit', 'run() + ORBIT, oa.tool(options), no sink', 'none'),
    orbit('orbitBuilt', 'run() + ORBIT, the SDK-built tool as oa.agent() finds it, no sink', 'none', true),
    orbit('orbitMemory', 'run() + ORBIT, oa.tool(options), MemorySink', 'memory'),
    orbit('orbitJsonl', 'run() + ORBIT, oa.tool(options), JSONL sink', 'jsonl'),
  ];
}

/** The tool outputs of a result, in order. */
const outputsOf = (result: AnyRunResult) =>
  result.newItems.flatMap((item) => (item.type === 'tool_call_output_item' ? [String(item.output)] : []));

/**
 * After one invoke: every call ran the tool (nothing refused, paused or failed), the model finished, and a
 * sink holds one `proceed` decision per call (run it on a fresh sink: the first invoke).
 *
 * @throws Error naming the variant and what it did instead.
 */
export function checkInvoke(variant: Variant, shape: Shape, result: AnyRunResult): void {
  const outputs = outputsOf(result);
  const ok =
    result.finalOutput === 'done' &&
    result.interruptions.length === 0 &&
    outputs.length === shape.calls &&
    outputs.every((output) => output.startsWith('ok r'));
  if (!ok)
    throw new Error(
      `bench setup: ${variant.label} did not run its ${shape.calls} calls: ${JSON.stringify(outputs)}`,
    );
  if (variant.sink) checkProceedDecisions(variant.label, variant.sink, shape.calls);
}

/**
 * One approval round trip: the run that pauses, the answer, the run that resumes and runs the tool. Its result:
 * how many interruptions the first run paused on (read then: the paused result reads its state, which the
 * resume goes on to change) and the resumed result.
 */
export type RoundTrip = TimedRoundTrip<{ paused: number; resumed: AnyRunResult }>;

/**
 * The SDK's own approval (`needsApproval: true`, and a `needsApproval` function deciding on the confidence
 * argument, as ORBIT's does), and ORBIT's (an irreversible call below its threshold). Each answered in memory:
 * `result.state` is resumed as it is, not saved and restored.
 */
export function roundTrips(manifest: LoadedManifest): RoundTrip[] {
  const shape = [[{ id: 'call-send', name: 'send', args: { id: 'x', confidence: 0.8 } }]];
  const sdkApproval = (label: string, needsApproval: unknown): RoundTrip => {
    const agent = new Agent({
      name: 'bench',
      instructions: 'Send the message.',
      model: new BenchModel(shape),
      tools: [tool({ ...sendOptions, needsApproval } as typeof sendOptions)],
    });
    return {
      label,
      run: async (threadId) => {
        const paused = await run(agent, 'go', { context: orbitContext(threadId), ...RUN_OPTIONS });
        const items = paused.interruptions;
        for (const item of items) paused.state.approve(item as RunToolApprovalItem);
        return { paused: items.length, resumed: await run(agent, paused.state, RUN_OPTIONS) };
      },
      after: async () => {},
      samples: { wall: [], cpu: [] },
    };
  };
  const { oa } = bindingOf(manifest, 'none');
  const agent = oa.agent(
    new Agent({
      name: 'bench',
      instructions: 'Send the message.',
      model: new BenchModel(shape),
      tools: [oa.tool(sendOptions)],
    }),
  );
  return [
    sdkApproval("SDK's own approval, needsApproval: true", true),
    sdkApproval(
      "SDK's own approval, a needsApproval function",
      async (_context: unknown, input: { confidence?: number }) => (input.confidence ?? 0) < 0.9,
    ),
    {
      label: 'ORBIT (pause, pendingApprovals, answer, resume)',
      run: async (threadId) => {
        const paused = await run(agent, 'go', { context: orbitContext(threadId), ...RUN_OPTIONS });
        const pending = await oa.pendingApprovals(paused);
        for (const each of pending)
          await oa.answer(paused.state, each, { type: 'approve', approver: 'bench' });
        return { paused: pending.length, resumed: await run(agent, paused.state, RUN_OPTIONS) };
      },
      after: (threadId) => oa.endRun(threadId),
      samples: { wall: [], cpu: [] },
    },
  ];
}

/**
 * After one round trip: the first run paused on one interruption, the second ran the tool and finished.
 *
 * @throws Error naming the round trip and what it did instead.
 */
export function checkRoundTrip(
  label: string,
  { paused, resumed }: { paused: number; resumed: AnyRunResult },
): void {
  const outputs = outputsOf(resumed);
  if (
    paused !== 1 ||
    resumed.interruptions.length !== 0 ||
    resumed.finalOutput !== 'done' ||
    !outputs.includes('sent x')
  )
    throw new Error(`bench setup: ${label} did not pause and resume: ${JSON.stringify({ paused, outputs })}`);
}
