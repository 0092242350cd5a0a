import { OptionsInvalidError } from '@orbit-agents/core/errors';

/** The context key naming the thread (conversation): one ORBIT run per thread. */
export const THREAD_KEY = 'orbit_thread';
/** The context key naming the sub-agent run a handoff handed the conversation to (its id, never its token). */
export const RUN_KEY = 'orbit_run';
/** The context key recording how much of the SDK's usage ORBIT counted (it survives `RunState.toString()`). */
export const USAGE_KEY = 'orbit_usage';
/**
 * The context key holding the answers given with `orbitAgents.answer()` until their call runs (by run id,
 * then call id), so that the process that resumes a saved state applies them, whichever it is.
 */
export const ANSWERS_KEY = 'orbit_answers';

/** What ORBIT keeps in the SDK's run context: ids, counts and pending answers, nothing that acts (no token). */
export interface OrbitContextFields {
  /** The thread (conversation) id: the ORBIT run the calls belong to. */
  orbit_thread: string;
  /** Set by a guarded handoff: the sub-agent run the receiving agent acts under. */
  orbit_run?: string;
  /** How many of the run's model requests ORBIT counted into the token budget, and their tokens. */
  orbit_usage?: { requests: number; tokens: number; stamp: string; untracked?: number };
  /** The answers given with `orbitAgents.answer()` whose calls have not run yet, by run id and call id. */
  orbit_answers?: Record<string, Record<string, unknown>>;
}

/**
 * The run context for `run(agent, input, { context })`: your own fields with the thread id ORBIT ties
 * the calls to. It stays a plain object, as `RunState.toString()` needs, and holds no token.
 *
 * @example
 * await run(agent, 'Reconcile March', { context: orbitContext('inv-42', { userId: 'u1' }) });
 */
export function orbitContext<Context extends Record<string, unknown>>(
  threadId: string,
  context?: Context,
): Context & OrbitContextFields {
  if (typeof threadId !== 'string' || threadId.length === 0)
    throw new OptionsInvalidError(
      `orbitContext(threadId) needs a non-empty string, got ${JSON.stringify(threadId)}.`,
    );
  if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context)))
    throw new OptionsInvalidError(
      `orbitContext(threadId, appContext) needs appContext to be an object of your fields, got ${Array.isArray(context) ? 'an array' : JSON.stringify(context)}.`,
    );
  return { ...(context ?? ({} as Context)), [THREAD_KEY]: threadId };
}

/**
 * The SDK's context as the record ORBIT reads and writes its fields in.
 *
 * @throws OptionsInvalidError when the context is not an object (ORBIT cannot tell the thread).
 */
export function fieldsOf(context: unknown): Partial<OrbitContextFields> & Record<string, unknown> {
  if (context === null || typeof context !== 'object' || Array.isArray(context))
    throw new OptionsInvalidError(
      `ORBIT needs the run context to be an object with ${THREAD_KEY} (a non-empty string): run(agent, input, { context: orbitContext(threadId) }); got ${JSON.stringify(context)}.`,
    );
  // ORBIT writes its ids and counts into the context as the run goes: a frozen or sealed one would fail there.
  if (!Object.isExtensible(context))
    throw new OptionsInvalidError(
      `ORBIT writes its fields (${USAGE_KEY}, ${RUN_KEY}, ${ANSWERS_KEY}) into the run context, so it must not be frozen, sealed or made non-extensible: pass orbitContext(threadId, appContext), a new plain object.`,
    );
  return context as Partial<OrbitContextFields> & Record<string, unknown>;
}
