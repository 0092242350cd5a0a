// Part 2 of the LangGraph bench, in place: a middleware's hooks timed inside a real agent, the time in the
// handler they call taken out.
import { MemorySaver } from '@langchain/langgraph';
import { createAgent, createMiddleware } from 'langchain';
import { nowNs } from '../../../bench/lib/clock.js';
import { ScriptedChatModel } from '../test/support.js';
import { readTool, SHAPES } from './setup.js';

/** The times, ns, a middleware spent in its `wrapToolCall` and `wrapModelCall` hooks, its handler excluded. */
export interface Windows {
  tool: number[];
  model: number[];
}

/** Times a hook: its whole time minus the time its handler took. */
export function timedHook<Request, Result>(
  hook: (request: Request, handler: (request: Request) => Promise<Result>) => Promise<Result>,
  into: number[],
) {
  return async (request: Request, handler: (request: Request) => Promise<Result>): Promise<Result> => {
    let inHandler = 0n;
    const start = nowNs();
    const result = await hook(request, async (inner) => {
      const entered = nowNs();
      try {
        return await handler(inner);
      } finally {
        inHandler += nowNs() - entered;
      }
    });
    into.push(Number(nowNs() - start - inHandler));
    return result;
  };
}

/** A createAgent agent (10 turns × 1 call) whose only middleware is `middleware`, its two hooks timed into `windows`. */
export function instrumentedAgent(
  middleware: { wrapToolCall?: unknown; wrapModelCall?: unknown },
  windows: Windows,
) {
  const checkpointer = new MemorySaver();
  const measured = createMiddleware({
    name: 'Measured',
    wrapToolCall: timedHook(middleware.wrapToolCall as never, windows.tool) as never,
    wrapModelCall: timedHook(middleware.wrapModelCall as never, windows.model) as never,
  });
  const agent = createAgent({
    model: new ScriptedChatModel(SHAPES[1]!.turns),
    tools: [readTool],
    checkpointer,
    middleware: [measured],
  });
  return { agent, checkpointer };
}
