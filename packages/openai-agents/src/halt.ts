import type { RunHaltedError } from '@orbit-agents/core';
import { haltOf as coreHaltOf } from '@orbit-agents/core/adapter';

/**
 * The `RunHaltedError` behind an error the SDK threw, if ORBIT halted the run. The SDK ends a run whose
 * tool or approval policy threw with a `ToolCallError` holding the error in `.error` (not `.cause`);
 * this looks through both.
 *
 * @example
 * try { await run(agent, input, { context }) } catch (error) {
 *   const halt = haltOf(error);
 *   if (!halt) throw error;
 *   console.log('halted:', halt.decision.reasons);
 * }
 */
export function haltOf(error: unknown): RunHaltedError | undefined {
  for (let current = error, depth = 0; current && depth < 10; depth++) {
    const halt = coreHaltOf(current);
    if (halt) return halt;
    current = (current as { error?: unknown }).error;
  }
  return undefined;
}
