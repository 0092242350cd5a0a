import { randomUUID } from 'node:crypto';
import {
  type AgentToolOptionsWithDefault,
  type AgentToolOptionsWithParameters,
  type FunctionTool,
  type Handoff,
  handoff,
  type RunContext,
} from '@openai/agents';
import { type Refusal, type Run, RunHaltedError, TokenError, toRefusal } from '@orbit-agents/core';
import { delegateOnce, isRefusal, type SubAgentOptions, stoppedByPerson } from '@orbit-agents/core/adapter';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { fieldsOf, RUN_KEY } from './context.js';
import { GUARDED } from './guarded-tool.js';
import { haltOf } from './halt.js';
import type { OrbitAgents } from './orbit-agents.js';
import type { AnyAgent, Unbound } from './sdk-types.js';
import type { CallDetails } from './tool-entry.js';
import { refusalOutput } from './tool-refused.js';

/** Marks an agent whose tools ORBIT guards (a clone made by `orbitAgents.agent()`). */
export const GUARDED_AGENT = Symbol.for('orbit-agents.openai-agents.agent');

type AsToolOptions =
  | AgentToolOptionsWithDefault<Unbound, AnyAgent>
  | AgentToolOptionsWithParameters<Unbound, AnyAgent, Unbound>;
type WithoutApproval<T> = T extends unknown ? Omit<T, 'needsApproval'> : never;
type SdkHandoffOptions = NonNullable<Parameters<typeof handoff>[1]>;

/** `orbitAgents.subAgent()` options: the manifest profile, and the SDK's `asTool()` options. */
export type SubAgentToolOptions = SubAgentOptions<unknown> & WithoutApproval<AsToolOptions>;

/** `orbitAgents.handoff()` options: the manifest profile, and the SDK's `handoff()` options. */
export type HandoffOptions = SubAgentOptions<unknown> & SdkHandoffOptions;

/**
 * An agent-as-tool whose every call delegates: the spawn is decided and a token minted from the profile
 * (once per call, also across the SDK presenting it again on resume), and the nested agent's calls act
 * under the sub-agent's run. A pause inside it leaves the run open (the SDK resumes the nested run
 * through the same call); a policy halt inside it is a refusal the caller's model reads; a person's
 * `stop_run` inside it stops the whole run.
 */
export function subAgentTool(
  binding: OrbitAgents,
  agent: AnyAgent,
  options: SubAgentToolOptions,
): FunctionTool {
  const { profile, agentId, request, ...asTool } = options;
  checkProfile(binding, profile, `orbitAgents.subAgent(${JSON.stringify(agent.name)})`);
  const spec: SubAgentOptions<unknown> = {
    profile,
    ...(agentId ? { agentId } : {}),
    ...(request ? { request } : {}),
  };
  const made = agent.asTool(asTool as never) as unknown as FunctionTool;
  const nested = made.invoke;
  const invoke = async (runContext: RunContext, input: string, details?: CallDetails) => {
    const callId = details?.toolCall?.callId ?? `${made.name}:${randomUUID()}`;
    const parent = binding.actingRun(runContext);
    binding.usage.count(parent, runContext);
    const { results } = binding.registry.stateOf(parent);
    // A finished delegation presented again: its result answers, nothing runs again.
    if (results.has(callId)) return results.get(callId);
    const delegated = await spawn(binding, parent, callId, spec, input);
    if (isRefusal(delegated)) return refusalOutput(delegated);
    const fields = fieldsOf(runContext.context);
    // The nested run shares the caller's context: a handoff inside it must not change who the caller is.
    const handedTo = fields[RUN_KEY];
    const { value, paused } = await binding.frames.within(() =>
      binding.registry.within(delegated, () => nested(runContext as never, input, details)),
    );
    if (handedTo === undefined) delete fields[RUN_KEY];
    else fields[RUN_KEY] = handedTo;
    if (paused) return value; // the SDK keeps the nested run's state; its resume comes back here
    return finish(binding, parent, delegated, callId, value);
  };
  // Replaced in place: the SDK knows the tool it made as an agent tool (it resumes nested runs through it).
  made.invoke = invoke as FunctionTool['invoke'];
  Object.defineProperty(made, GUARDED, { value: true });
  return made;
}

/**
 * Decides the delegation of one call (once, also when the SDK presents it again). A halt (a run that may
 * not delegate, or one past its limits) ends the acting run: kept for the agent-as-tool around it, so that
 * its caller's model reads ORBIT's refusal rather than the SDK's generic tool error.
 *
 * @throws RunHaltedError when the delegation halts the acting run.
 */
async function spawn(
  binding: OrbitAgents,
  parent: Run,
  callId: string,
  spec: SubAgentOptions<unknown>,
  input: string,
): Promise<Run | Refusal> {
  try {
    // A halted run delegates nothing, also not through a delegation made before it halted.
    if (parent.halted) throw new RunHaltedError((await parent.delegate({ profile: spec.profile })).decision);
    return await delegateOnce(binding.registry, parent, callId, spec, parseArgs(input));
  } catch (error) {
    const halt = haltOf(error);
    if (halt) binding.noteHalt(parent, halt);
    throw error;
  }
}

/** A nested run that ended: the sub-agent's run ends; a halt inside it is told to the caller, or stops the tree. */
async function finish(binding: OrbitAgents, parent: Run, child: Run, callId: string, value: unknown) {
  const halt = binding.haltOf(child);
  await binding.registry.end(child, { outcome: halt ? 'failure' : 'success' });
  if (halt && stoppedByPerson(halt)) {
    // A person stopped the whole run, not only the sub-agent: the caller's run ends too.
    child.root.stop();
    throw halt;
  }
  const output = halt
    ? JSON.stringify({
        ...toRefusal(halt.decision),
        message: `The sub-agent was halted by ORBIT: ${halt.message}`,
      })
    : value;
  binding.registry.remember(parent, callId, output);
  return output;
}

/**
 * A handoff whose receiving agent acts under a token minted for it: when the model hands off, ORBIT
 * decides the spawn from the acting run, and the context names the sub-agent's run from then on.
 *
 * @throws TokenError (`ERR_TOKEN_REFUSED`, from the SDK's run) when the delegation is refused.
 */
export function guardedHandoff(binding: OrbitAgents, agent: AnyAgent, options: HandoffOptions): Handoff {
  const { profile, agentId, request, onHandoff, ...rest } = options;
  checkProfile(binding, profile, `orbitAgents.handoff(${JSON.stringify(agent.name)})`);
  const spec: SubAgentOptions<unknown> = {
    profile,
    ...(agentId ? { agentId } : {}),
    ...(request ? { request } : {}),
  };
  const made = handoff(
    agent as never,
    {
      ...rest,
      onHandoff: async (runContext: RunContext, input?: unknown) => {
        const parent = binding.actingRun(runContext as RunContext);
        binding.usage.count(parent, runContext as RunContext);
        // The SDK gives onHandoff no call id and never runs it again on resume: each handoff delegates.
        const delegated = await delegateOnce(
          binding.registry,
          parent,
          `handoff:${randomUUID()}`,
          spec,
          input,
        );
        if (isRefusal(delegated)) throw new TokenError(delegated.reasons[0]!, refusalOutput(delegated));
        fieldsOf(runContext.context)[RUN_KEY] = delegated.id;
        binding.handedOff(delegated, agent, parent);
        await (onHandoff as ((context: RunContext, input?: unknown) => unknown) | undefined)?.(
          runContext,
          input,
        );
      },
    } as never,
  ) as Handoff;
  Object.defineProperty(made, GUARDED, { value: true });
  return made;
}

function parseArgs(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/**
 * A delegation names a profile of the manifest: told when it is made, not when the model first delegates.
 *
 * @throws OptionsInvalidError when the manifest has no sub-agent profile of that name.
 */
function checkProfile(binding: OrbitAgents, profile: unknown, where: string): void {
  const profiles = binding.orbit.manifest.manifest.delegation?.profiles ?? [];
  if (profiles.some((each) => each.name === profile)) return;
  const names = profiles.map((each) => JSON.stringify(each.name)).join(', ');
  throw new OptionsInvalidError(
    `${where}: no sub-agent profile ${JSON.stringify(profile)} in the manifest (${names ? `its profiles: ${names}` : 'it has no delegation profiles'}); each delegation mints a token from the profile it names.`,
  );
}
