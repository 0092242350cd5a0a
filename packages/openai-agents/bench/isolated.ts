// Part 3 of the bench, isolated: a tool called directly as the SDK's runner calls it (`needsApproval`, then
// `invoke` with the call's JSON arguments and its call id), CALLS calls on a fresh thread per sample, ORBIT's
// guarded tool next to the SDK's own.
import { type FunctionTool, RunContext } from '@openai/agents';

// biome-ignore lint/suspicious/noExplicitAny: a function tool of any context and parameters (the SDK's and ORBIT's).
type AnyFunctionTool = FunctionTool<any, any, any>;

import { nowNs } from '../../../bench/lib/clock.js';
import { type OrbitAgents, orbitContext } from './adapter.js';
import { CALLS } from './setup.js';

/** CALLS `read` calls of one thread (ids unique per thread), confidence 0.99: each proceeds. */
export const callsOf = (thread: number) =>
  Array.from({ length: CALLS }, (_, i) => {
    const input = { id: `r${i}`, confidence: 0.99 };
    const callId = `call-${thread}-${i}`;
    const json = JSON.stringify(input);
    return {
      input,
      callId,
      json,
      details: {
        toolCall: {
          type: 'function_call' as const,
          callId,
          name: 'read',
          arguments: json,
          status: 'completed' as const,
        },
      },
    };
  });

let isolatedThread = 0;

/**
 * CALLS calls of `tool` on a fresh thread (its own run context): `needsApproval` with the parsed input, then
 * `invoke` with the JSON arguments, as the runner does for a call that needs no approval.
 *
 * @throws Error when a call would pause or does not run the tool.
 */
export async function tenCalls(tool: AnyFunctionTool, threadId = `iso-${isolatedThread++}`): Promise<void> {
  const runContext = new RunContext(orbitContext(threadId));
  const needsApproval = tool.needsApproval as (
    context: RunContext,
    input: unknown,
    callId: string,
  ) => Promise<boolean>;
  for (const call of callsOf(isolatedThread++)) {
    if (await needsApproval(runContext, call.input, call.callId))
      throw new Error(`bench setup: ${tool.name} would pause ${call.callId}`);
    const output = await tool.invoke(runContext, call.json, call.details);
    if (output !== `ok ${call.input.id}`) throw new Error(`bench setup: got ${String(output)}`);
  }
}

/** A tinybench task: ten calls on a fresh thread, the sample their mean; ending the ORBIT run is untimed. */
export function tenCallsTask(tool: AnyFunctionTool, binding?: OrbitAgents) {
  return async () => {
    const threadId = `iso-${isolatedThread++}`;
    const start = nowNs();
    await tenCalls(tool, threadId);
    const timed = nowNs();
    await binding?.endRun(threadId);
    // The sample is the timed calls' mean; the time budget counts everything, ending the run too.
    return {
      overriddenDuration: Number(timed - start) / 1e6 / CALLS,
      overriddenIterationCost: Number(nowNs() - start) / 1e6,
    };
  };
}

/** A tinybench task: `oa.endRun()` after ten calls; the sample is ending the run alone. */
export function endRunTask(tool: AnyFunctionTool, binding: OrbitAgents) {
  return async () => {
    const threadId = `iso-${isolatedThread++}`;
    const start = nowNs();
    await tenCalls(tool, threadId);
    const ending = nowNs();
    await binding.endRun(threadId);
    return {
      overriddenDuration: Number(nowNs() - ending) / 1e6,
      overriddenIterationCost: Number(nowNs() - start) / 1e6,
    };
  };
}
