import { RunHaltedError } from '../run/run-halted-error.js';

/**
 * The `RunHaltedError` behind an error a framework threw, if ORBIT halted the run. Frameworks wrap
 * the errors of tools and middleware (`cause` chains); this looks through them, and knows the error
 * of another installed copy of `@orbit-agents/core` too (`RunHaltedError.isInstance`).
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
    if (RunHaltedError.isInstance(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A halt a person chose (a denial with `stop_run`): it stops the whole run tree, not just a sub-agent. */
export function stoppedByPerson(halt: RunHaltedError | undefined): boolean {
  return halt?.decision.reasons.includes('approval_denied') === true;
}
