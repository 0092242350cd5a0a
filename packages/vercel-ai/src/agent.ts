import { ToolLoopAgent, type ToolLoopAgentSettings, type ToolSet } from 'ai';
import { z } from 'zod';
import type { OrbitAi } from './orbit-ai.js';

/** The call options of an ORBIT agent: the thread (`agent.generate({ prompt, options: { threadId } })`). */
export type OrbitCallOptions = { threadId?: string } | undefined;

/** `ToolLoopAgent` settings, plus where ORBIT finds a call's thread. */
export type OrbitAgentSettings<TOOLS extends ToolSet> = ToolLoopAgentSettings<OrbitCallOptions, TOOLS> & {
  /** The thread of a call, from its call options. Default: `options.threadId`. */
  threadId?: (options: unknown) => string | undefined;
};

/** The call options an ORBIT agent takes when the application declares none: the thread. */
const THREAD_OPTIONS = z.object({ threadId: z.string().optional() }).optional();

/** A `ToolLoopAgent` whose every call spreads the binding's `settings()` (see `OrbitAi.agent`). */
export function orbitAgent<TOOLS extends ToolSet>(
  binding: OrbitAi,
  settings: OrbitAgentSettings<TOOLS>,
): ToolLoopAgent<OrbitCallOptions, TOOLS> {
  const { threadId, prepareCall, callOptionsSchema, ...rest } = settings as OrbitAgentSettings<TOOLS> & {
    prepareCall?: (call: never) => unknown;
    callOptionsSchema?: unknown;
  };
  return new ToolLoopAgent<OrbitCallOptions, TOOLS>({
    ...(rest as ToolLoopAgentSettings<OrbitCallOptions, TOOLS>),
    callOptionsSchema: (callOptionsSchema ?? THREAD_OPTIONS) as never,
    prepareCall: (async (call: Record<string, unknown> & { options?: unknown }) => {
      const { options, ...own } = call;
      const prepared = (prepareCall ? await prepareCall(call as never) : own) as Record<string, unknown> & {
        model: never;
        tools?: TOOLS;
        prepareStep?: never;
      };
      const thread = threadId ? threadId(options) : (options as { threadId?: string } | undefined)?.threadId;
      // Agents take their abort signal per call, not from prepareCall: a halt inside a tool stops at the next step.
      const { abortSignal: _signal, ...orbit } = binding.settings({
        threadId: thread,
        model: prepared.model,
        tools: prepared.tools ?? ({} as TOOLS),
        prepareStep: prepared.prepareStep,
      });
      return { ...prepared, ...orbit };
    }) as never,
  });
}
