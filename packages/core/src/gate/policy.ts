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
  readonly resources: readonly RegExp[] | undefined;
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
  return {
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
  };
}

/** `invoice:*` → /^invoice:.*$/ ; every other character is literal. */
export function compileResourcePattern(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

/** The resource type of a resource id: the part before the first `:` (`invoice:INV-1` → `invoice`). */
export function resourceTypeOf(resource: string): string {
  const colon = resource.indexOf(':');
  return colon === -1 ? resource : resource.slice(0, colon);
}
