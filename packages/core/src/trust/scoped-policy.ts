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
