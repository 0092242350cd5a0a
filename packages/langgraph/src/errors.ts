import { RunHaltedError } from '@orbit-agents/core';

/**
 * The `RunHaltedError` behind an error thrown by `invoke`, if ORBIT halted the run. LangChain wraps
 * middleware errors (`MiddlewareError`, with the original on `cause`); this looks through the chain.
 *
 * @example
 * try { await agent.invoke(input, config) } catch (error) {
 *   const halt = haltOf(error);
 *   if (!halt) throw error;
 *   console.log('halted:', halt.decision.reasons);
 * }
 */
export function haltOf(error: unknown): RunHaltedError | undefined {
  for (let current = error, depth = 0; current && depth < 10; depth++) {
    if (current instanceof RunHaltedError) return current;
    // Another copy of @orbit-agents/core (a second install) has its own class: know it by its shape.
    if ((current as Error).name === 'RunHaltedError' && 'decision' in (current as object)) {
      return current as RunHaltedError;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
