import { compileResourcePattern, type Policy, type ToolPolicy } from '../gate/policy.js';
import type { TokenScope } from './token-scope.js';

/**
 * The policy of a sub-agent's run: its manifest's rules (blocked tools, floor, level, reversibility),
 * with tools, limits, thresholds, resources and budgets taken from its token's scope. A tool outside
 * the scope halts with `token_scope_violation`.
 */
export function scopedPolicy(root: Policy, scope: TokenScope, agentId: string): Policy {
  const tools = new Map<string, ToolPolicy>();
  for (const [name, granted] of Object.entries(scope.tools)) {
    const base = root.tools.get(name);
    if (!base) continue; // attenuation never grants a tool the manifest lacks; be safe anyway
    tools.set(name, {
      ...base,
      threshold: granted.threshold,
      maxCalls: granted.max_calls,
      // A token without a per-resource limit keeps the manifest's (never looser than the agent's own).
      maxCallsPerResource: tighter(granted.max_calls_per_resource, base.maxCallsPerResource),
      resources: granted.resources?.map(compileResourcePattern) ?? base.resources,
    });
  }
  return {
    ...root,
    agentId,
    tools,
    maxTokens: scope.max_tokens,
    maxRecordsPerRun: scope.max_records,
    timeLimitMs: scope.time_limit_ms,
    outOfScopeReason: 'token_scope_violation',
  };
}

/** The smaller of two limits; `undefined` is no limit. */
function tighter(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
