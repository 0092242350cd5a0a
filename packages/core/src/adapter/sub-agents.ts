import type { Refusal } from '../run/decision.js';
import { toRefusal } from '../run/decision.js';
import type { Run } from '../run/run.js';
import { RunHaltedError } from '../run/run-halted-error.js';
import type { DelegationRequest } from '../trust/token-scope.js';
import { haltOf, stoppedByPerson } from './halt-of.js';
import type { RunRegistry } from './run-registry.js';

/** How a sub-agent is delegated to: a manifest profile, and optionally a narrower ask. */
export interface SubAgentOptions<Args> {
  /** The manifest's sub-agent profile the token is minted from. */
  profile: string;
  /** The agent id the token names (its audience). Default: the profile. */
  agentId?: string;
  /** A narrower ask than the profile (tools, limits, ttl): attenuated, never widened. */
  request?: (args: Args) => Omit<DelegationRequest, 'profile' | 'agentId'>;
}

/**
 * The delegation of one call (or task), decided and minted once and reused by every replay, even a
 * concurrent one: the sub-agent's run, or the refusal the parent's model is told. A delegation that
 * failed (the trust authority unreachable) is not kept: a retry delegates again.
 *
 * @throws RunHaltedError when the spawn halts the parent run (not permitted, too deep, over the limit).
 */
export function delegateOnce<Result, Args>(
  registry: RunRegistry<Result>,
  parent: Run,
  key: string,
  spec: SubAgentOptions<Args>,
  args: Args,
): Promise<Run | Refusal> {
  const { delegations } = registry.stateOf(parent);
  let delegation = delegations.get(key);
  if (!delegation) {
    delegation = delegate(registry, parent, spec, args);
    // Kept before it settles: a concurrent replay of the same call waits for this one.
    delegations.set(key, delegation);
    delegation.catch(() => delegations.delete(key));
  }
  return delegation;
}

async function delegate<Result, Args>(
  registry: RunRegistry<Result>,
  parent: Run,
  spec: SubAgentOptions<Args>,
  args: Args,
): Promise<Run | Refusal> {
  const result = await parent.delegate({
    ...spec.request?.(args),
    profile: spec.profile,
    ...(spec.agentId ? { agentId: spec.agentId } : {}),
  });
  if (result.decision.decision === 'halt') throw new RunHaltedError(result.decision);
  if (!result.run) return toRefusal(result.decision);
  registry.adopt(parent, result.run);
  return result.run;
}

/**
 * Runs a sub-agent under its delegated run (nested invocations find it through `registry.current()`),
 * then ends and forgets the run. A suspension (the framework's interrupt) leaves it open; a person's
 * `stop_run` inside it stops the whole tree; other errors go on to the caller.
 */
export async function runDelegated<Result, T>(
  registry: RunRegistry<Result>,
  child: Run,
  invoke: () => Promise<T>,
  suspends: (error: unknown) => boolean,
): Promise<T> {
  try {
    const result = await registry.within(child, invoke);
    await registry.end(child, { outcome: 'success' });
    return result;
  } catch (error) {
    if (suspends(error)) throw error;
    await registry.end(child, { outcome: 'failure' });
    if (stoppedByPerson(haltOf(error))) child.root.stop();
    throw error;
  }
}

/** True for a refused delegation (what `delegateOnce` gives instead of a run). */
export function isRefusal(value: Run | Refusal): value is Refusal {
  return (value as Refusal).refused === true;
}
