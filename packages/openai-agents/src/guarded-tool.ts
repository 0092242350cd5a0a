import { type FunctionTool, type RunContext, tool } from '@openai/agents';
import { type Span, trace } from '@opentelemetry/api';
import type { Run } from '@orbit-agents/core';
import {
  type DecidedCall,
  decideCall,
  type FrameworkHooks,
  handleCall,
  type PauseRequest,
  readCall,
} from '@orbit-agents/core/adapter';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { toApprovalAnswer } from './answers.js';
import { haltOf } from './halt.js';
import type { OrbitAgents } from './orbit-agents.js';
import { withinSdkFunctionSpan } from './span-link.js';
import type { CallDetails, ToolEntry } from './tool-entry.js';
import { failureOutput, refusalOutput } from './tool-refused.js';

/** Marks a function tool ORBIT guards, with its entry. */
export const GUARDED = Symbol.for('orbit-agents.openai-agents.guarded');

/** The approver recorded for an approval given with the SDK's own `state.approve(item)`. */
export const SDK_APPROVER = 'openai-agents:state.approve';

/**
 * The SDK function tool ORBIT guards:
 * 1. `needsApproval` decides the call (the SDK asks before any call of the step runs): `pause` is the
 *    SDK's interruption, `halt` ends the run (`ToolCallError` holding the `RunHaltedError`), anything
 *    else lets the SDK call `execute`;
 * 2. `execute` runs the call through the kit's `handleCall` with that decision: a block is the refusal
 *    the model reads, an approved pause runs with the answer given through `orbitAgents.answer()`
 *    (an edit's arguments), a call that ran before gives its recorded result.
 */
export function guardedTool(binding: OrbitAgents, entry: ToolEntry): FunctionTool {
  const made = tool({
    ...(entry.kept as object),
    name: entry.name,
    description: entry.kept.description ?? entry.name,
    parameters: entry.parameters as never,
    strict: entry.strict as never,
    // A tool's error and a halt reach the kit, which records them: the SDK must not turn them into text.
    errorFunction: null,
    needsApproval: async (runContext: RunContext, input: unknown, callId?: string) =>
      decide(binding, entry, made.name, runContext, input, callId),
    execute: async (input: unknown, runContext?: RunContext, details?: CallDetails) =>
      execute(binding, entry, made.name, runContext!, input, details),
  } as never) as FunctionTool;
  Object.defineProperty(made, GUARDED, { value: entry });
  binding.sdkNames.set(entry.name, made.name);
  return made;
}

/** The SDK's approval question: ORBIT's decision, kept for `execute`. */
async function decide(
  binding: OrbitAgents,
  entry: ToolEntry,
  sdkName: string,
  runContext: RunContext,
  input: unknown,
  callId: string | undefined,
): Promise<boolean> {
  const entered = binding.enterCall(runContext);
  const run = entered instanceof Promise ? await entered : entered;
  const decided = await decideCall(
    run,
    binding.orbit,
    { tool: entry.name, args: input, callId },
    entry.guarded,
  );
  const { decision } = decided;
  // Decided for good (a denial recorded when it was given, a call run before): an answer kept for it is spent.
  if (callId !== undefined && decision.decision !== 'pause')
    binding.answers.take(run, callId, runContext.context);
  if (decision.decision === 'halt') throw await binding.haltCall(run, decision);
  if (callId !== undefined) binding.decisions.keep(run, callId, decided);
  if (decision.decision !== 'pause') return false;
  binding.pausedRuns.add(run);
  // Approved already (a state restored after its answer): the SDK runs it whatever this returns.
  if (callId !== undefined && runContext.isToolApproved({ toolName: sdkName, callId }) !== true)
    binding.frames.paused();
  return true;
}

/** The SDK runs the call: the kit's one decision path, with the decision `needsApproval` made. */
async function execute(
  binding: OrbitAgents,
  entry: ToolEntry,
  sdkName: string,
  runContext: RunContext,
  input: unknown,
  details: CallDetails,
): Promise<unknown> {
  const callId = details?.toolCall?.callId;
  const entered = binding.enterCall(runContext);
  const run = entered instanceof Promise ? await entered : entered;
  let decided: DecidedCall | undefined;
  let raised = false;
  if (callId !== undefined) {
    decided = binding.decisions.take(run, callId);
    // Not decided in this process (a restored state approved before it resumed, or the SDK skipped
    // needsApproval after an alwaysApprove): a recorded decision means the pause was put to a person.
    raised =
      decided !== undefined ||
      (await run.recall(
        readCall(binding.orbit, { tool: entry.name, args: input, callId }, entry.guarded).request,
      )) !== undefined;
  }
  // With the SDK's traces bridged: the span active before ORBIT's call span is (see span-link.ts).
  const outer = binding.traceProcessor === undefined ? undefined : trace.getActiveSpan();
  try {
    return await handleCall(
      binding.registry,
      run,
      { tool: entry.name, args: input, callId, ...(decided ? { decided } : {}) },
      entry.guarded,
      hooksOf(binding, entry, sdkName, run, runContext, details, raised, outer),
    );
  } catch (error) {
    const halt = haltOf(error);
    if (halt) binding.noteHalt(run, halt);
    throw error;
  } finally {
    // The call is done: an answer kept for it and not asked for (its denial was recorded when given) is
    // spent, so that a state saved after the resume holds none.
    if (callId !== undefined) binding.answers.take(run, callId, runContext.context);
  }
}

function hooksOf(
  binding: OrbitAgents,
  entry: ToolEntry,
  sdkName: string,
  run: Run,
  runContext: RunContext,
  details: CallDetails,
  raised: boolean,
  outer: Span | undefined,
): FrameworkHooks<unknown> {
  return {
    ask: (pause: PauseRequest) => {
      const callId = pause.approval.call_id;
      const answer = binding.answers.take(run, callId, runContext.context);
      if (answer !== undefined) return answer;
      // The SDK's own approval of a pause ORBIT raised: an approval naming its call (not its hash).
      if (raised && runContext.isToolApproved({ toolName: sdkName, callId }) === true)
        return { type: 'approve', approver: SDK_APPROVER };
      throw new OptionsInvalidError(
        `ORBIT paused "${entry.name}" (call ${callId}), but the SDK ran it without asking: ORBIT's pause never reached a person (state.approve(item, { alwaysApprove: true }) skips the question for later calls). Answer each interruption with orbitAgents.answer().`,
      );
    },
    toAnswer: (value, approval) => toApprovalAnswer(value, approval, binding.approver),
    invoke: async (args, id) => {
      const bridge = binding.traceProcessor;
      const output =
        bridge === undefined
          ? await entry.execute(args, runContext, details, run, id)
          : await withinSdkFunctionSpan(bridge, outer, () =>
              entry.execute(args, runContext, details, run, id),
            );
      return { result: output, output };
    },
    refused: (refusal) => refusalOutput(refusal),
    failed: (error) => failureOutput(error),
    suspends: () => false,
  };
}
