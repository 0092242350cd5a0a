// Part 3 of the LangGraph bench, isolated: the calls tinybench times (the middleware's `wrapToolCall` around a
// handler that returns at once, a guarded tool's `invoke`), CALLS of them on a fresh run per sample.
import { ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import { nowNs } from '../../../bench/lib/clock.js';
import type { OrbitLangGraph } from './adapter.js';
import { CALLS, readTool } from './setup.js';

/** The tool message the bare handler returns at once. */
export const prebuilt = new ToolMessage({ content: 'ok', tool_call_id: 'x', name: 'read' });
/** A `wrapToolCall` handler that returns at once: the baseline of the middleware's cost. */
export const handler = async () => prebuilt;
/** CALLS `read` tool calls of one thread (ids unique per thread), confidence 0.99: each proceeds. */
export const callsOf = (thread: number): ToolCall[] =>
  Array.from({ length: CALLS }, (_, i) => ({
    name: 'read',
    args: { id: `r${i}`, confidence: 0.99 },
    id: `call-${thread}-${i}`,
    type: 'tool_call' as const,
  }));
let isolatedThread = 0;

/** A tinybench task timing CALLS sequential calls on a fresh thread; the sample is the mean per call. */
export function tenCalls(
  call: (toolCall: ToolCall, config: { configurable: { thread_id: string } }) => unknown,
  binding?: OrbitLangGraph,
) {
  return async () => {
    const thread = isolatedThread++;
    const config = { configurable: { thread_id: `iso-${thread}` } };
    const calls = callsOf(thread);
    const start = nowNs();
    for (const toolCall of calls) await call(toolCall, config);
    const timed = nowNs();
    await binding?.endRun(config);
    // The sample is the timed calls' mean; the time budget counts everything, ending the run too.
    return {
      overriddenDuration: Number(timed - start) / 1e6 / CALLS,
      overriddenIterationCost: Number(nowNs() - start) / 1e6,
    };
  };
}

/** One call through the binding's middleware `wrapToolCall`, around the bare handler. */
export function middlewareCall(binding: OrbitLangGraph) {
  const wrap = binding.middleware().wrapToolCall!;
  return (toolCall: ToolCall, config: { configurable: { thread_id: string } }) =>
    wrap(
      {
        toolCall,
        tool: readTool,
        state: { messages: [] },
        runtime: { ...config, context: undefined },
      } as never,
      handler,
    );
}
