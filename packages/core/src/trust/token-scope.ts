import { z } from 'zod';
import type { Policy } from '../gate/policy.js';
import type { ReasonCode } from '../gate/reason-codes.js';
import { resourcePatternCovers } from '../gate/resource-matcher.js';
import { type Manifest, ResourcePatternSchema, type SubAgentProfile } from '../manifest/manifest-schema.js';

/** One tool a token allows, with its limit and threshold. */
export const ScopeToolSchema = z.strictObject({
  max_calls: z.number().int().nonnegative(),
  /** Calls of the tool on one resource (`max_calls_per_resource`); absent: no such limit. */
  max_calls_per_resource: z.number().int().nonnegative().optional(),
  threshold: z.number().min(0).max(1),
  resources: z.array(ResourcePatternSchema).optional(),
});

/** What a trust token allows: tools with limits and thresholds, resources, budgets and delegation. */
export const TokenScopeSchema = z.strictObject({
  profile: z.string().nullable(),
  tools: z.record(z.string(), ScopeToolSchema),
  max_tokens: z.number().int().nonnegative().optional(),
  max_records: z.number().int().nonnegative().optional(),
  time_limit_ms: z.number().int().nonnegative().optional(),
  delegate: z.strictObject({
    allowed: z.boolean(),
    /** The deepest depth any token in this tree may have (absolute, the root's run is depth 0). */
    max_depth: z.number().int().nonnegative(),
    /** How many sub-agents this token's holder may still create in its subtree. */
    max_sub_agents: z.number().int().nonnegative(),
  }),
});
export type TokenScope = z.infer<typeof TokenScopeSchema>;

/** What a parent asks for when it delegates: a manifest profile, optionally narrowed (or, refused, widened). */
export interface DelegationRequest {
  /** The manifest profile (`delegation.profiles[].name`). */
  profile: string;
  /** The sub-agent's id: the token's subject and audience. Default: the profile name. */
  agentId?: string;
  /** Replaces the profile's tool list; each entry must stay within the profile and the parent. */
  tools?: {
    name: string;
    max_calls_per_run?: number;
    /** At most the profile's and the parent's; absent: the profile's, else the parent's. */
    max_calls_per_resource?: number;
    confidence_threshold?: number;
    resources?: string[];
  }[];
  may_delegate?: boolean;
  max_sub_agents?: number;
  max_tokens_per_run?: number;
  max_records_touched_per_run?: number;
  time_limit_minutes?: number;
  ttl_seconds?: number;
}

/** Validates a delegation request at the edge: a wrong field is a clear error, never a silently wider token. */
export const DelegationRequestSchema = z.strictObject({
  profile: z.string().min(1, 'expected the name of a manifest profile'),
  agentId: z.string().min(1).optional(),
  tools: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        max_calls_per_run: z.number().int().nonnegative().optional(),
        max_calls_per_resource: z.number().int().nonnegative().optional(),
        confidence_threshold: z.number().min(0).max(1).optional(),
        resources: z.array(ResourcePatternSchema).optional(),
      }),
    )
    .optional(),
  may_delegate: z.boolean().optional(),
  max_sub_agents: z.number().int().nonnegative().optional(),
  max_tokens_per_run: z.number().int().nonnegative().optional(),
  max_records_touched_per_run: z.number().int().nonnegative().optional(),
  time_limit_minutes: z.number().positive().optional(),
  ttl_seconds: z.number().int().positive().optional(),
});

/** How much of its own scope a parent has used so far. */
export interface ScopeUsage {
  callsOf(tool: string): number;
  readonly tokens: number;
  readonly records: number;
  readonly elapsedMs: number;
  readonly subAgents: number;
}

/** Why a mint was refused: a reason code and the scope field that was wider, when there is one. */
export interface MintRefusal {
  reason: Extract<
    ReasonCode,
    'scope_escalation' | 'spawn_not_permitted' | 'delegation_depth_exceeded' | 'sub_agent_limit_exceeded'
  >;
  /** The scope field that was wider than the parent's (e.g. `tools.trigger_payment`). */
  field?: string;
  message: string;
}

/**
 * The scope of an agent's own run, from its manifest: what a root parent holds.
 *
 * @throws TypeError (a plain one) when `policy` was not compiled from `manifest` (one of its allowed
 * tools is missing from `policy.tools`).
 */
export function rootScope(manifest: Manifest, policy: Policy): TokenScope {
  const tools: TokenScope['tools'] = {};
  for (const tool of manifest.allowed_tools) {
    tools[tool.name] = {
      max_calls: tool.max_calls_per_run,
      ...(tool.max_calls_per_resource === undefined
        ? {}
        : { max_calls_per_resource: tool.max_calls_per_resource }),
      threshold: policy.tools.get(tool.name)!.threshold,
      ...(tool.resources ? { resources: [...tool.resources] } : {}),
    };
  }
  const delegation = manifest.delegation;
  const allowed =
    delegation !== undefined && delegation.profiles.length > 0 && !policy.blocked.has('spawn_sub_agent');
  const ip = manifest.interruption_policy;
  return {
    profile: null,
    tools,
    ...(ip.max_tokens_per_run === undefined ? {} : { max_tokens: ip.max_tokens_per_run }),
    ...(ip.max_records_touched_per_run === undefined ? {} : { max_records: ip.max_records_touched_per_run }),
    ...(ip.time_limit_minutes === undefined
      ? {}
      : { time_limit_ms: Math.round(ip.time_limit_minutes * 60_000) }),
    delegate: {
      allowed,
      max_depth: allowed ? delegation!.max_depth : 0,
      max_sub_agents: allowed ? delegation!.max_sub_agents_per_run : 0,
    },
  };
}

/**
 * Attenuation: the scope a child may get from its parent, or why not. The child's scope is always a
 * subset of the parent's remaining scope and of the manifest profile: asking for more is refused
 * (`scope_escalation`, naming the wider field), never silently narrowed.
 * Pure: the same inputs always give the same answer.
 */
export function attenuateScope(
  parent: TokenScope,
  parentDepth: number,
  usage: ScopeUsage,
  profile: SubAgentProfile | undefined,
  request: DelegationRequest,
): { scope: TokenScope } | { refusal: MintRefusal } {
  if (!parent.delegate.allowed) {
    return refuse('spawn_not_permitted', undefined, "this agent's scope does not allow delegation");
  }
  if (!profile)
    return refuse(
      'spawn_not_permitted',
      'profile',
      `no sub-agent profile "${request.profile}" in the manifest`,
    );
  if (parentDepth + 1 > parent.delegate.max_depth) {
    return refuse(
      'delegation_depth_exceeded',
      undefined,
      `depth ${parentDepth + 1} exceeds the maximum ${parent.delegate.max_depth}`,
    );
  }
  const subAgentsLeft = parent.delegate.max_sub_agents - usage.subAgents;
  if (subAgentsLeft < 1) {
    return refuse(
      'sub_agent_limit_exceeded',
      undefined,
      `the limit of ${parent.delegate.max_sub_agents} sub-agents is reached`,
    );
  }

  const byName = new Map(profile.tools.map((tool) => [tool.name, tool]));
  const asked = request.tools ?? profile.tools;
  const tools: TokenScope['tools'] = {};
  for (const ask of asked) {
    const field = `tools.${ask.name}`;
    const held = parent.tools[ask.name];
    if (!held) return refuse('scope_escalation', field, `the parent does not hold "${ask.name}"`);
    const granted = byName.get(ask.name);
    if (!granted)
      return refuse('scope_escalation', field, `profile "${profile.name}" does not grant "${ask.name}"`);
    const remaining = held.max_calls - usage.callsOf(ask.name);
    const maxCalls = ask.max_calls_per_run ?? granted.max_calls_per_run;
    if (maxCalls > granted.max_calls_per_run) {
      return refuse(
        'scope_escalation',
        `${field}.max_calls`,
        `${maxCalls} calls asked, the profile grants ${granted.max_calls_per_run}`,
      );
    }
    if (maxCalls > remaining) {
      return refuse(
        'scope_escalation',
        `${field}.max_calls`,
        `${maxCalls} calls asked, the parent has ${remaining} left`,
      );
    }
    // Per resource: the profile's and the parent's limits are both ceilings (and the default, so a child
    // under a limited parent is always limited). The child's calls count in the parent's run too, so the
    // parent's limit holds across the tree whatever the child gets.
    const perResource =
      ask.max_calls_per_resource ?? granted.max_calls_per_resource ?? held.max_calls_per_resource;
    for (const [ceiling, whose] of [
      [granted.max_calls_per_resource, 'the profile grants'],
      [held.max_calls_per_resource, 'the parent holds'],
    ] as const) {
      if (ceiling !== undefined && perResource !== undefined && perResource > ceiling) {
        return refuse(
          'scope_escalation',
          `${field}.max_calls_per_resource`,
          `${perResource} calls per resource asked, ${whose} ${ceiling}`,
        );
      }
    }
    // The profile's threshold and the parent's are both floors: a child is never gated more loosely.
    const floor = Math.max(granted.confidence_threshold ?? 0, held.threshold);
    const threshold = ask.confidence_threshold ?? floor;
    if (threshold < floor) {
      return refuse(
        'scope_escalation',
        `${field}.threshold`,
        `threshold ${threshold} is below ${floor} (the parent's and the profile's)`,
      );
    }
    if (
      ask.resources &&
      granted.resources &&
      !ask.resources.every((pattern) => isSubPattern(pattern, granted.resources!))
    ) {
      return refuse(
        'scope_escalation',
        `${field}.resources`,
        `resources ${ask.resources.join(', ')} are not within the profile's ${granted.resources.join(', ')}`,
      );
    }
    const resources = ask.resources ?? granted.resources ?? held.resources;
    // `resources` falls back to the parent's, so it is defined whenever the parent is limited.
    if (
      held.resources &&
      resources &&
      !resources.every((pattern) => isSubPattern(pattern, held.resources!))
    ) {
      return refuse(
        'scope_escalation',
        `${field}.resources`,
        `resources ${resources.join(', ')} are not within ${held.resources.join(', ')}`,
      );
    }
    tools[ask.name] = {
      max_calls: maxCalls,
      ...(perResource === undefined ? {} : { max_calls_per_resource: perResource }),
      threshold,
      ...(resources ? { resources: [...resources] } : {}),
    };
  }

  const budgets: Pick<TokenScope, 'max_tokens' | 'max_records' | 'time_limit_ms'> = {};
  const dims = [
    ['max_tokens', request.max_tokens_per_run, profile.max_tokens_per_run, parent.max_tokens, usage.tokens],
    [
      'max_records',
      request.max_records_touched_per_run,
      profile.max_records_touched_per_run,
      parent.max_records,
      usage.records,
    ],
    [
      'time_limit_ms',
      toMs(request.time_limit_minutes),
      toMs(profile.time_limit_minutes),
      parent.time_limit_ms,
      usage.elapsedMs,
    ],
  ] as const;
  for (const [name, requested, granted, parentLimit, used] of dims) {
    if (requested !== undefined && granted !== undefined && requested > granted) {
      return refuse('scope_escalation', name, `${requested} asked, the profile grants ${granted}`);
    }
    const askedValue = requested ?? granted;
    const left = parentLimit === undefined ? undefined : Math.max(0, parentLimit - used);
    if (askedValue !== undefined && left !== undefined && askedValue > left) {
      return refuse('scope_escalation', name, `${askedValue} asked, the parent has ${left} left`);
    }
    const value = askedValue ?? left;
    if (value !== undefined) budgets[name] = Math.floor(value);
  }

  if (request.may_delegate && !profile.may_delegate) {
    return refuse('scope_escalation', 'delegate.allowed', `profile "${profile.name}" may not delegate`);
  }
  if (
    request.max_sub_agents !== undefined &&
    profile.max_sub_agents_per_run !== undefined &&
    request.max_sub_agents > profile.max_sub_agents_per_run
  ) {
    return refuse(
      'scope_escalation',
      'delegate.max_sub_agents',
      `${request.max_sub_agents} sub-agents asked, the profile grants ${profile.max_sub_agents_per_run}`,
    );
  }
  const mayDelegate = request.may_delegate ?? profile.may_delegate;
  const depth = parentDepth + 1;
  if (mayDelegate && depth >= parent.delegate.max_depth) {
    return refuse(
      'scope_escalation',
      'delegate.allowed',
      `delegation asked at depth ${depth}, the maximum depth is ${parent.delegate.max_depth}`,
    );
  }
  const maxSubAgents = mayDelegate
    ? (request.max_sub_agents ?? profile.max_sub_agents_per_run ?? subAgentsLeft - 1)
    : 0;
  if (maxSubAgents > subAgentsLeft - 1) {
    return refuse(
      'scope_escalation',
      'delegate.max_sub_agents',
      `${maxSubAgents} sub-agents asked, the parent has ${subAgentsLeft - 1} left`,
    );
  }
  return {
    scope: {
      profile: profile.name,
      tools,
      ...budgets,
      delegate: {
        allowed: mayDelegate && maxSubAgents > 0,
        max_depth: parent.delegate.max_depth,
        max_sub_agents: maxSubAgents,
      },
    },
  };
}

/**
 * True when every resource id `pattern` matches is matched by one of `parents` (decided exactly on the
 * patterns' automata, see `resourcePatternCovers`). An invalid pattern, or a check too large to finish,
 * gives `false`, so the answer is never "yes" when it should be "no".
 */
export function isSubPattern(pattern: string, parents: readonly string[]): boolean {
  return resourcePatternCovers(parents, pattern);
}

/** Whether `scope` allows nothing that `parent` does not (the invariant minting keeps). */
export function isWithin(scope: TokenScope, parent: TokenScope): boolean {
  for (const [name, tool] of Object.entries(scope.tools)) {
    const held = parent.tools[name];
    if (!held || tool.max_calls > held.max_calls || tool.threshold < held.threshold) return false;
    if (
      held.max_calls_per_resource !== undefined &&
      (tool.max_calls_per_resource === undefined || tool.max_calls_per_resource > held.max_calls_per_resource)
    )
      return false;
    if (held.resources && !tool.resources?.every((p) => isSubPattern(p, held.resources!))) return false;
  }
  for (const name of ['max_tokens', 'max_records', 'time_limit_ms'] as const) {
    if (parent[name] !== undefined && (scope[name] === undefined || scope[name]! > parent[name]!))
      return false;
  }
  if (scope.delegate.allowed && !parent.delegate.allowed) return false;
  return (
    scope.delegate.max_depth <= parent.delegate.max_depth &&
    scope.delegate.max_sub_agents <= parent.delegate.max_sub_agents
  );
}

function toMs(minutes: number | undefined): number | undefined {
  return minutes === undefined ? undefined : Math.round(minutes * 60_000);
}

function refuse(
  reason: MintRefusal['reason'],
  field: string | undefined,
  message: string,
): { refusal: MintRefusal } {
  return { refusal: { reason, ...(field === undefined ? {} : { field }), message } };
}
