import { type Context, context, type Span, trace } from '@opentelemetry/api';
import { type FrameworkHooks, haltOf, handleCall } from '@orbit-agents/core/adapter';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import type { Tool, ToolExecutionOptions } from 'ai';
import { toApprovalAnswer } from './answers.js';
import { type AiResult, callOf } from './call.js';
import type { Invocation } from './invocation.js';
import type { OrbitAi } from './orbit-ai.js';
import { modelFacingSchema, type ToolEntry } from './tool-entry.js';
import { ToolRefusedError } from './tool-refused-error.js';

/** The guarded SDK tool: the model sees the tool's schema (with confidence); `execute` runs through the kit. */
export function guardedTool(binding: OrbitAi, entry: ToolEntry, invocation: Invocation): Tool {
  const { original } = entry;
  return {
    ...original,
    inputSchema: modelFacingSchema(binding.orbit, entry),
    execute: async (input: unknown, options: ToolExecutionOptions<never>) => {
      // A sibling of a call that halted the run inside its tool (an agent cannot be aborted) runs nothing.
      invocation.throwIfHalted();
      const outer = context.active();
      try {
        const result = await handleCall(
          binding.registry,
          invocation.run,
          {
            ...callOf({ toolName: entry.name, toolCallId: options.toolCallId, input }),
            decided: invocation.takeDecided(options.toolCallId, input),
          },
          entry.guarded,
          hooksOf(binding, entry, invocation, options, outer),
        );
        if (result.ok) return result.output;
        throw result.error;
      } catch (error) {
        const halt = haltOf(error);
        if (halt) invocation.stop(halt);
        throw error;
      }
    },
  } as Tool;
}

/** The kit's hooks for one SDK tool execution. */
function hooksOf(
  binding: OrbitAi,
  entry: ToolEntry,
  invocation: Invocation,
  options: ToolExecutionOptions<never>,
  outer: Context,
): FrameworkHooks<AiResult> {
  return {
    ask: (pause) => {
      throw new OptionsInvalidError(
        `ORBIT paused "${pause.approval.tool}" and no person's answer to it came with this call, yet the AI SDK ran it: make orbitAi.settings(...) for each call and spread it in whole, so that ORBIT's toolApproval raises the SDK's approval request and reads its answer.`,
      );
    },
    toAnswer: (value, approval) =>
      toApprovalAnswer(value, approval, binding.options.approver ?? 'ai-sdk:tool-approval-response'),
    invoke: async (args) => {
      linkSpans(trace.getSpan(context.active()), trace.getSpan(outer));
      // The tool's own spans nest under the SDK's execute_tool span, as they would without ORBIT.
      const checked = entry.validate ? await entry.validate(args) : args;
      const output = await collect(
        await context.with(outer, () => entry.execute(checked, options, invocation.run)),
      );
      return { result: { ok: true, output }, output };
    },
    refused: (refusal) => ({ ok: false, error: new ToolRefusedError(refusal) }),
    failed: (error) => ({ ok: false, error }),
    suspends: () => false,
  };
}

/** A tool's result: an `AsyncIterable` (streaming) tool gives its last value, as the SDK does. */
async function collect(output: unknown): Promise<unknown> {
  if (output === null || typeof output !== 'object' || !(Symbol.asyncIterator in output)) return output;
  let last: unknown;
  for await (const value of output as AsyncIterable<unknown>) last = value;
  return last;
}

/**
 * ORBIT's call span (active while `perform` runs the tool, when ORBIT traces) and the SDK's
 * `execute_tool` span of the same call, linked both ways: the SDK opens its span after ORBIT decided,
 * so one cannot be the other's child, and a trace view goes from either to the other.
 */
function linkSpans(orbit: Span | undefined, sdk: Span | undefined): void {
  if (!orbit || !sdk || orbit === sdk || !orbit.isRecording()) return;
  orbit.addLink({ context: sdk.spanContext() });
  if (sdk.isRecording()) sdk.addLink({ context: orbit.spanContext() });
}
