import type { LoadedManifest } from '../manifest/load-manifest.js';
import { DEFAULT_CONFIDENCE_THRESHOLD, type Reversibility } from '../manifest/manifest-schema.js';
import type { MaturityLevel } from './decision-table.js';

/** One allowed tool, resolved for the hot path. */
export interface ToolPolicy {
  readonly name: string;
  readonly reversibility: Reversibility;
  readonly threshold: number;
  readonly maxCalls: number;
  readonly escalation: boolean;
  readonly resources: readonly ResourceMatcher[] | undefined;
  readonly maxRecordsPerCall: number | undefined;
}

/**
 * A manifest compiled once per deployment into lookups: the gate reads only this, so a decision
 * does no parsing and no allocation beyond its result.
 */
export interface Policy {
  readonly agentId: string;
  readonly digest: string;
  readonly level: MaturityLevel;
  readonly tools: ReadonlyMap<string, ToolPolicy>;
  readonly blocked: ReadonlySet<string>;
  readonly floor: number;
  readonly maxTokens: number | undefined;
  readonly maxRecordsPerRun: number | undefined;
  readonly timeLimitMs: number | undefined;
  readonly budgetMode: 'soft' | 'hard';
  readonly knownResourceTypes: ReadonlySet<string> | undefined;
  /** The reason a call outside `tools` halts with: `tool_not_in_manifest`, or `token_scope_violation` under a trust token. */
  readonly outOfScopeReason: 'tool_not_in_manifest' | 'token_scope_violation';
}

/** Compiles a loaded manifest into a `Policy`; `maturityLevel` overrides the manifest's level. */
export function compilePolicy(loaded: LoadedManifest, maturityLevel?: MaturityLevel): Policy {
  const { manifest } = loaded;
  const policy = manifest.interruption_policy;
  const defaultThreshold = policy.default_confidence_threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  const tools = new Map<string, ToolPolicy>();
  for (const tool of manifest.allowed_tools) {
    tools.set(tool.name, {
      name: tool.name,
      reversibility: tool.reversibility ?? 'partial',
      threshold: tool.confidence_threshold ?? defaultThreshold,
      maxCalls: tool.max_calls_per_run,
      escalation: tool.escalation === true,
      resources: tool.resources?.map(compileResourcePattern),
      maxRecordsPerCall: tool.max_records_per_call ?? policy.max_records_per_call,
    });
  }
  return freezePolicy({
    agentId: manifest.agent_id,
    digest: loaded.digest,
    level: maturityLevel ?? manifest.maturity_level ?? 1,
    tools,
    blocked: new Set(manifest.explicitly_blocked_tools),
    floor: policy.confidence_floor,
    maxTokens: policy.max_tokens_per_run,
    maxRecordsPerRun: policy.max_records_touched_per_run,
    timeLimitMs: policy.time_limit_minutes === undefined ? undefined : policy.time_limit_minutes * 60_000,
    budgetMode: policy.budget_mode ?? 'soft',
    knownResourceTypes: manifest.known_resource_types ? new Set(manifest.known_resource_types) : undefined,
    outOfScopeReason: 'tool_not_in_manifest',
  });
}

/** A compiled resource pattern. Not a `RegExp`: a caller could re-`compile()` one in place, even frozen. */
export interface ResourceMatcher {
  /** The pattern as the manifest wrote it (`invoice:*`). */
  readonly pattern: string;
  test(resource: string): boolean;
}

/** `invoice:*` → /^invoice:.*$/ ; every other character is literal. */
export function compileResourcePattern(pattern: string): ResourceMatcher {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return Object.freeze({ pattern, test: (resource: string) => regex.test(resource) });
}

/**
 * Freezes a compiled policy: its maps and sets refuse writes and every tool entry is frozen, so no
 * holder of `orbit.policy` or `run.policy` can widen what the gate allows.
 */
export function freezePolicy(policy: Policy): Policy {
  const tools = new ReadOnlyMap(
    [...policy.tools].map(([name, tool]) => {
      if (tool.resources) Object.freeze(tool.resources);
      return [name, Object.freeze(tool)] as const;
    }),
  );
  return Object.freeze({
    ...policy,
    tools,
    blocked: new ReadOnlySet(policy.blocked),
    knownResourceTypes: policy.knownResourceTypes && new ReadOnlySet(policy.knownResourceTypes),
  });
}

/** A map that refuses writes once built (a `ReadonlyMap` at run time, not only in types). */
class ReadOnlyMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [key, value] of entries) Map.prototype.set.call(this, key, value);
    Object.freeze(this);
  }
  override set(): this {
    throw readOnly();
  }
  override delete(): boolean {
    throw readOnly();
  }
  override clear(): void {
    throw readOnly();
  }
}

/** A set that refuses writes once built. */
class ReadOnlySet<T> extends Set<T> {
  constructor(values: Iterable<T>) {
    super();
    for (const value of values) Set.prototype.add.call(this, value);
    Object.freeze(this);
  }
  override add(): this {
    throw readOnly();
  }
  override delete(): boolean {
    throw readOnly();
  }
  override clear(): void {
    throw readOnly();
  }
}

function readOnly(): TypeError {
  return new TypeError('ORBIT policies are read-only: compile a new one from a signed manifest.');
}

/** The resource type of a resource id: the part before the first `:` (`invoice:INV-1` → `invoice`). */
export function resourceTypeOf(resource: string): string {
  const colon = resource.indexOf(':');
  return colon === -1 ? resource : resource.slice(0, colon);
}
