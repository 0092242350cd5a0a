import { type CompiledCondition, tryCompileCondition } from '../conditions/compile-condition.js';
import { ManifestInvalidError } from '../errors.js';
import type { LoadedManifest } from '../manifest/load-manifest.js';
import {
  type AllowedTool,
  DEFAULT_CONFIDENCE_THRESHOLD,
  type Reversibility,
} from '../manifest/manifest-schema.js';
import type { MaturityLevel } from './decision-table.js';
import { compileResourcePattern, type ResourceMatcher } from './resource-matcher.js';

export { compileResourcePattern, type ResourceMatcher };

/** One allowed tool, resolved for the hot path. */
export interface ToolPolicy {
  readonly name: string;
  readonly reversibility: Reversibility;
  readonly threshold: number;
  readonly maxCalls: number;
  /**
   * Calls of this tool on one resource (the call's `resource`) admitted per run, and on a store per
   * tree (`max_calls_per_resource`); `undefined`: no such limit. A call without a resource is not counted.
   */
  readonly maxCallsPerResource: number | undefined;
  readonly escalation: boolean;
  readonly resources: readonly ResourceMatcher[] | undefined;
  readonly maxRecordsPerCall: number | undefined;
  /** Argument conditions, compiled (frozen); `undefined` when the tool has none (nothing is evaluated). */
  readonly conditions?: readonly ToolCondition[] | undefined;
  /** Per-call tiers, compiled (frozen): the first rule whose condition holds picks the tier. */
  readonly reversibilityWhen?: readonly TierRule[] | undefined;
  /** The lowest tier the tool's `reversibility()` hook may give a call; `undefined`: the manifest's tier. */
  readonly reversibilityMin?: Reversibility | undefined;
}

/** One compiled argument condition: `pause` (`pause_when`), `block` (`block_when`) or `require`. */
export interface ToolCondition {
  readonly name: string;
  readonly kind: 'pause' | 'block' | 'require';
  readonly condition: CompiledCondition;
}

/** One compiled `reversibility_when` rule. */
export interface TierRule {
  readonly when: CompiledCondition;
  readonly reversibility: Reversibility;
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
      maxCallsPerResource: tool.max_calls_per_resource,
      escalation: tool.escalation === true,
      resources: tool.resources?.map(compileResourcePattern),
      maxRecordsPerCall: tool.max_records_per_call ?? policy.max_records_per_call,
      ...compileCallRules(tool),
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

/** A tool's conditions and per-call tier rules, compiled and frozen (nothing when it has none). */
function compileCallRules(tool: AllowedTool): Partial<ToolPolicy> {
  const out: { -readonly [K in keyof ToolPolicy]?: ToolPolicy[K] } = {};
  if (tool.conditions?.length) {
    out.conditions = Object.freeze(
      tool.conditions.map((entry) => {
        const kind =
          entry.pause_when !== undefined ? 'pause' : entry.block_when !== undefined ? 'block' : 'require';
        const source = entry.pause_when ?? entry.block_when ?? entry.require!;
        return Object.freeze({ name: entry.name, kind, condition: compiled(source, tool.name) });
      }),
    );
  }
  if (tool.reversibility_when?.length) {
    out.reversibilityWhen = Object.freeze(
      tool.reversibility_when.map((rule) =>
        Object.freeze({ when: compiled(rule.when, tool.name), reversibility: rule.reversibility }),
      ),
    );
  }
  if (tool.reversibility_min !== undefined) out.reversibilityMin = tool.reversibility_min;
  return out;
}

/** A condition the schema already checked; a manifest built around the schema still fails closed. */
function compiled(source: string, tool: string): CompiledCondition {
  const result = tryCompileCondition(source);
  if (result.ok) return result.condition;
  throw new ManifestInvalidError(`A condition of "${tool}" is invalid: ${result.problem}`, []);
}

/**
 * A read-only copy of a compiled policy, for `orbit.policy` and `run.policy`: its maps and sets offer
 * reads only and every tool entry is frozen. The gate decides with the policy itself, which no caller
 * holds, so no holder of a copy can widen what the gate allows.
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

/**
 * A read-only map: it holds its entries in a private map and offers only reads, so no built-in
 * (`Map.prototype.set.call(...)`) can write to it.
 */
class ReadOnlyMap<K, V> implements ReadonlyMap<K, V> {
  readonly #map: Map<K, V>;
  constructor(entries: Iterable<readonly [K, V]>) {
    this.#map = new Map(entries);
    Object.freeze(this);
  }
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  get size(): number {
    return this.#map.size;
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#map) callback.call(thisArg, value, key, this);
  }
  entries(): MapIterator<[K, V]> {
    return this.#map.entries();
  }
  keys(): MapIterator<K> {
    return this.#map.keys();
  }
  values(): MapIterator<V> {
    return this.#map.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#map[Symbol.iterator]();
  }
}

/** A read-only set, likewise. */
class ReadOnlySet<T> implements ReadonlySet<T> {
  readonly #set: Set<T>;
  constructor(values: Iterable<T>) {
    this.#set = new Set(values);
    Object.freeze(this);
  }
  has(value: T): boolean {
    return this.#set.has(value);
  }
  get size(): number {
    return this.#set.size;
  }
  forEach(callback: (value: T, key: T, set: ReadonlySet<T>) => void, thisArg?: unknown): void {
    for (const value of this.#set) callback.call(thisArg, value, value, this);
  }
  entries(): SetIterator<[T, T]> {
    return this.#set.entries();
  }
  keys(): SetIterator<T> {
    return this.#set.keys();
  }
  values(): SetIterator<T> {
    return this.#set.values();
  }
  [Symbol.iterator](): SetIterator<T> {
    return this.#set[Symbol.iterator]();
  }
}

/** The resource type of a resource id: the part before the first `:` (`invoice:INV-1` → `invoice`). */
export function resourceTypeOf(resource: string): string {
  const colon = resource.indexOf(':');
  return colon === -1 ? resource : resource.slice(0, colon);
}
