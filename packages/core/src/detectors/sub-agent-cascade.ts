import type { AuditEvent } from '../audit/audit-event.js';
import type { ReasonCode } from '../gate/reason-codes.js';
import { SPAWN_TOOL } from '../trust/spawn-tool.js';
import { countOption, DEFAULT_MAX_RUNS, type DetectorLimits } from './detector-options.js';
import { type Detector, FAILURE_MODE_SEVERITY, type Finding, type FindingSignal } from './finding.js';
import { isRunEnd, NO_FINDINGS, RunStates } from './run-states.js';

/** The reason codes of a delegation refused for going over a limit. */
export const SPAWN_LIMIT_REASONS = [
  'sub_agent_limit_exceeded',
  'delegation_depth_exceeded',
  'spawn_not_permitted',
] as const satisfies readonly ReasonCode[];

/** The reason codes that, in a sub-agent's run, mean it reached outside its delegated scope. */
export const SUB_AGENT_OUT_OF_SCOPE_REASONS = [
  'token_scope_violation',
  'tool_explicitly_blocked',
  'tool_not_in_manifest',
  'resource_not_in_manifest',
] as const satisfies readonly ReasonCode[];

export interface SubAgentCascadeOptions extends DetectorLimits {
  /**
   * Fires when more sub-agents than this are minted in one run tree. Default 10. Set it to your
   * manifest's `delegation.max_sub_agents_per_run` to watch trees the runtime cannot see whole (several
   * processes, several authorities); within one process the runtime refuses the extra ones anyway.
   */
  maxSubAgents?: number;
  /** Reasons of a refused spawn. Default `SPAWN_LIMIT_REASONS`. */
  spawnLimitReasons?: readonly ReasonCode[];
  /** Reasons that, in a run with a parent, mean out of scope. Default `SUB_AGENT_OUT_OF_SCOPE_REASONS`. */
  outOfScopeReasons?: readonly ReasonCode[];
}

interface RunState {
  /** The id of the run's root: the run of the tree with no parent. */
  readonly root: string;
  spawnOverLimit: boolean;
  outOfScope: boolean;
}

interface TreeState {
  minted: number;
  fired: boolean;
}

/**
 * Sub-agent cascade: an orchestrator's sub-agents multiply or wander. The article's signal: the
 * sub-agent count exceeds the pre-approved limit, or a sub-agent touches out-of-scope systems.
 * Three signals, each fired at most once:
 *
 * - `spawn_over_limit` (once per run): a delegation refused for a limit, i.e. a `decision` on
 *   `spawn_sub_agent` or a `token` `refused` event carrying one of `spawnLimitReasons`
 *   (`sub_agent_limit_exceeded`, `delegation_depth_exceeded`, `spawn_not_permitted`);
 * - `sub_agent_out_of_scope` (once per run): a `decision` in a run with a `parent_run_id` carrying
 *   one of `outOfScopeReasons` (a tool or resource outside its token's scope, a blocked tool);
 * - `sub_agent_count` (once per run tree): the tree's `token` `minted` events exceed `maxSubAgents`.
 *   A tree's root is the run whose events have no `parent_run_id`; other runs join the tree of their
 *   `parent_run_id` (learned from their parent's events, in stream order).
 *
 * What it cannot see: sub-agents started without ORBIT tokens or without a `parent_run_id`, and
 * runs whose parent's events never reached this detector (they count as a tree of their own). A
 * tree's count starts again if its root ends before its sub-agents do. An in-scope action that is
 * globally wrong (the article's "locally rational" step) is not a signal here.
 *
 * @throws OptionsInvalidError when `maxSubAgents` is not a whole number >= 0, or `maxRuns` not one >= 1.
 *
 * @example
 * const cascade = subAgentCascade({ maxSubAgents: manifest.delegation?.max_sub_agents_per_run });
 */
export function subAgentCascade(options: SubAgentCascadeOptions = {}): Detector {
  const name = 'sub_agent_cascade';
  const maxSubAgents = countOption(name, 'maxSubAgents', options.maxSubAgents, 10, 0);
  const limitReasons = new Set<string>(options.spawnLimitReasons ?? SPAWN_LIMIT_REASONS);
  const scopeReasons = new Set<string>(options.outOfScopeReasons ?? SUB_AGENT_OUT_OF_SCOPE_REASONS);
  const limit = countOption(name, 'maxRuns', options.maxRuns, DEFAULT_MAX_RUNS);
  const trees = new RunStates<TreeState>(() => ({ minted: 0, fired: false }), limit);
  const runStates = new Map<string, RunState>();

  const stateOf = (event: AuditEvent): RunState => {
    let state = runStates.get(event.run_id);
    if (state === undefined) {
      const parent = event.parent_run_id;
      const root = parent ? (runStates.get(parent)?.root ?? parent) : event.run_id;
      if (runStates.size >= limit) runStates.delete(runStates.keys().next().value!);
      state = { root, spawnOverLimit: false, outOfScope: false };
      runStates.set(event.run_id, state);
    }
    return state;
  };

  const finding = (
    event: AuditEvent,
    signal: FindingSignal,
    message: string,
    evidence: Record<string, unknown>,
  ): Finding[] => [
    {
      detector: name,
      signal,
      severity: FAILURE_MODE_SEVERITY[name],
      run_id: event.run_id,
      agent_id: event.agent_id,
      ...(event.call_id === undefined ? {} : { call_id: event.call_id }),
      message,
      evidence,
    },
  ];

  return {
    name,
    trackedRuns: () => runStates.size + trees.size,
    observe(event) {
      if (isRunEnd(event)) {
        const state = runStates.get(event.run_id);
        runStates.delete(event.run_id);
        if (state?.root === event.run_id) trees.drop(event.run_id);
        return NO_FINDINGS;
      }
      if (event.event === 'run') {
        if (event.run === 'started') stateOf(event);
        return NO_FINDINGS;
      }
      if (event.event !== 'decision' && event.event !== 'token') return NO_FINDINGS;
      const state = stateOf(event);
      const reasons = Array.isArray(event.reasons) ? event.reasons : [];

      if (event.event === 'token') {
        if (event.token === 'minted') {
          const tree = trees.of(state.root);
          if (tree.fired || ++tree.minted <= maxSubAgents) return NO_FINDINGS;
          tree.fired = true;
          return finding(
            event,
            'sub_agent_count',
            `Run tree "${state.root}" minted ${tree.minted} sub-agent tokens, more than the ${maxSubAgents} allowed (the latest for "${String(event.sub_agent)}" by run "${event.run_id}").`,
            {
              root_run_id: state.root,
              minted: tree.minted,
              max_sub_agents: maxSubAgents,
              sub_agent: event.sub_agent,
              token_id: event.token_id,
              depth: event.depth,
            },
          );
        }
        if (event.token !== 'refused') return NO_FINDINGS;
      } else if (event.tool !== SPAWN_TOOL) {
        if (event.parent_run_id === null || event.parent_run_id === undefined || state.outOfScope)
          return NO_FINDINGS;
        const matched = reasons.filter((reason) => scopeReasons.has(reason));
        if (matched.length === 0) return NO_FINDINGS;
        state.outOfScope = true;
        const on = event.resource === undefined ? '' : ` on "${event.resource}"`;
        return finding(
          event,
          'sub_agent_out_of_scope',
          `Sub-agent "${event.agent_id}" (run "${event.run_id}", parent "${event.parent_run_id}") reached outside its delegated scope: "${event.tool}"${on} (${matched.join(', ')}; decision ${event.decision}).`,
          {
            root_run_id: state.root,
            parent_run_id: event.parent_run_id,
            tool: event.tool,
            resource: event.resource,
            reasons: matched,
            decision: event.decision,
            token_id: event.token_id,
          },
        );
      }

      // A refused delegation: the spawn decision, or the token event that follows it.
      if (state.spawnOverLimit) return NO_FINDINGS;
      const matched = reasons.filter((reason) => limitReasons.has(reason));
      if (matched.length === 0) return NO_FINDINGS;
      state.spawnOverLimit = true;
      return finding(
        event,
        'spawn_over_limit',
        `Agent "${event.agent_id}" tried to spawn a sub-agent beyond its limits in run "${event.run_id}" (${matched.join(', ')}).`,
        {
          root_run_id: state.root,
          reasons: matched,
          ...(event.event === 'decision' ? { decision: event.decision, input: event.input } : {}),
          ...(event.sub_agent === undefined ? {} : { sub_agent: event.sub_agent }),
        },
      );
    },
  };
}
