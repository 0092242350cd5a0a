import type { ReasonCode } from '../gate/reason-codes.js';
import { countOption, DEFAULT_MAX_RUNS, type DetectorLimits } from './detector-options.js';
import { type Detector, FAILURE_MODE_SEVERITY } from './finding.js';
import { isRunEnd, NO_FINDINGS, RunStates } from './run-states.js';

/** The reason codes of a call outside the manifest, the token's scope or the resource types seen before. */
export const SCOPE_EXPANSION_REASONS = [
  'tool_not_in_manifest',
  'resource_not_in_manifest',
  'token_scope_violation',
  'tool_explicitly_blocked',
  'new_resource_type',
] as const satisfies readonly ReasonCode[];

export interface ScopeExpansionOptions extends DetectorLimits {
  /** Fires once a run has made this many out-of-scope attempts. Default 1: the first one. */
  threshold?: number;
  /** The reason codes that make a decision an out-of-scope attempt. Default `SCOPE_EXPANSION_REASONS`. */
  reasons?: readonly ReasonCode[];
}

interface ScopeState {
  attempts: number;
  fired: boolean;
}

/**
 * Scope expansion: the agent reaches for tools or resources outside its task. The article's signal:
 * tool calls to APIs or resources not in the original task spec.
 *
 * An **attempt** is a `decision` event carrying at least one of `reasons` (default
 * `SCOPE_EXPANSION_REASONS`: a tool outside the manifest or the token's scope, a resource outside the
 * tool's patterns, an explicitly blocked tool, a resource type not seen in training runs), whatever
 * the decision. It fires once per run, on the attempt that reaches `threshold` (default 1).
 *
 * What it cannot see: an in-scope call made for an out-of-scope purpose (a permitted CRM update on
 * the wrong account is not an attempt), tools whose manifest entry has no resource patterns, and
 * calls that bypass ORBIT. The gate has already halted or paused every attempt; this detector is
 * the signal for whoever watches the runs, not a second gate.
 *
 * @throws OptionsInvalidError when `threshold` or `maxRuns` is not a whole number >= 1.
 *
 * @example
 * const scope = scopeExpansion({ threshold: 2, reasons: ['tool_not_in_manifest', 'resource_not_in_manifest'] });
 */
export function scopeExpansion(options: ScopeExpansionOptions = {}): Detector {
  const name = 'scope_expansion';
  const threshold = countOption(name, 'threshold', options.threshold, 1);
  const reasons = new Set<string>(options.reasons ?? SCOPE_EXPANSION_REASONS);
  const runs = new RunStates<ScopeState>(
    () => ({ attempts: 0, fired: false }),
    countOption(name, 'maxRuns', options.maxRuns, DEFAULT_MAX_RUNS),
  );

  return {
    name,
    trackedRuns: () => runs.size,
    observe(event) {
      if (isRunEnd(event)) {
        runs.drop(event.run_id);
        return NO_FINDINGS;
      }
      if (event.event !== 'decision' || !Array.isArray(event.reasons)) return NO_FINDINGS;
      const matched = event.reasons.filter((reason) => reasons.has(reason));
      if (matched.length === 0) return NO_FINDINGS;
      const state = runs.of(event.run_id);
      if (state.fired || ++state.attempts < threshold) return NO_FINDINGS;

      state.fired = true;
      const on = event.resource === undefined ? '' : ` on "${event.resource}"`;
      return [
        {
          detector: name,
          signal: 'out_of_scope_attempts',
          severity: FAILURE_MODE_SEVERITY[name],
          run_id: event.run_id,
          agent_id: event.agent_id,
          ...(event.call_id === undefined ? {} : { call_id: event.call_id }),
          message: `Agent "${event.agent_id}" reached outside its scope in run "${event.run_id}": "${event.tool}"${on} (${matched.join(', ')}; decision ${event.decision}), attempt ${state.attempts} of a threshold of ${threshold}.`,
          evidence: {
            tool: event.tool,
            resource: event.resource,
            reasons: matched,
            decision: event.decision,
            attempts: state.attempts,
            threshold,
          },
        },
      ];
    },
  };
}
