import { applyConditions, callTier } from './call-rules.js';
import { confidenceBand, gateCell } from './decision-table.js';
import { applyLimits, findLimits } from './limits.js';
import { type Policy, type ResourceMatcher, resourceTypeOf } from './policy.js';
import { SEVERITY } from './reason-codes.js';
import { halt, isValidConfidence, keepOnlyPossiblePromises, raise, type Verdict } from './verdict.js';

export { halt, isValidConfidence, raise, type Verdict } from './verdict.js';

/** What the gate needs to know about one call. */
export interface GateRequest {
  readonly tool: string;
  /** 0..1; `undefined`, NaN or out of range counts as missing (the lowest value). */
  readonly confidence: number | undefined;
  /** Records this call will touch (from the tool's declared counter); 0 when it declares none. */
  readonly records: number;
  /** The resource the call acts on, e.g. `invoice:INV-1001`; its type is the part before `:`. */
  readonly resource: string | undefined;
  /** A human already approved this call: pauses are satisfied, blocks and halts still apply. */
  readonly approved: boolean;
  /**
   * The arguments failed validation: the call is refused (`input_invalid`) and the model may correct it.
   * Its resource is unknown, so the resource boundary is not checked (it would halt the run for a typo).
   */
  readonly inputInvalid?: boolean;
  /**
   * The call's arguments as read once (the snapshot: plain JSON-like data), for the tool's argument
   * conditions and `reversibility_when` rules. Read only when the tool has some.
   */
  readonly args?: unknown;
  /**
   * What the tool's `reversibility()` hook answered; `undefined` when it has none. Anything but a tier
   * (a hook that threw gives `null`) leaves the manifest's tier.
   */
  readonly reversibility?: unknown;
}

/** What the gate needs to know about the run so far (the ledger, read-only). */
export interface GateState {
  readonly halted: boolean;
  callsOf(tool: string): number;
  /**
   * Calls of `tool` on `resource` counted so far. Asked only for a tool with `max_calls_per_resource`
   * and a call with a resource, so a ledger counts per resource only the tools that have that limit.
   */
  callsOn(tool: string, resource: string): number;
  readonly tokens: number;
  readonly records: number;
  readonly elapsedMs: number;
  hasSeenResourceType(type: string): boolean;
  /** Budget extensions granted by a human during this run. */
  readonly extraTokens: number;
  readonly extraRecords: number;
  readonly extraMs: number;
}

/**
 * The decision point. Checks, in order: boundary (B) → budgets and interruption triggers (I) →
 * reversibility gate at the maturity level (R). The most severe decision that fired wins, and every
 * reason that fired is kept. Pure: it reads the policy and the run's state and changes nothing.
 */
export function decide(policy: Policy, request: GateRequest, state: GateState): Verdict {
  const confidence = isValidConfidence(request.confidence) ? request.confidence : undefined;
  const verdict: Verdict = { decision: 'proceed', reasons: [], confidence: confidence ?? null };

  // B: boundary. An out-of-manifest or blocked tool halts at any confidence and level.
  if (state.halted) return halt(verdict, 'run_halted');
  if (policy.blocked.has(request.tool)) return halt(verdict, 'tool_explicitly_blocked');
  const tool = policy.tools.get(request.tool);
  if (tool === undefined) return halt(verdict, policy.outOfScopeReason);
  if (
    tool.resources !== undefined &&
    request.inputInvalid !== true &&
    !matchesAny(tool.resources, request.resource)
  ) {
    return halt(
      verdict,
      policy.outOfScopeReason === 'tool_not_in_manifest'
        ? 'resource_not_in_manifest'
        : policy.outOfScopeReason,
    );
  }
  // Call limit and budgets (I): the one limit model of every run (see limits.ts).
  const gated = !tool.escalation;
  const found = findLimits(policy, tool, state, tool.name, request.records, request.resource);
  if (applyLimits(verdict, found, policy.budgetMode === 'hard', !gated, request.records)) return verdict;

  // Argument conditions and the call's tier (only for a tool that has them, on readable arguments).
  let tier = tool.reversibility;
  if (request.inputInvalid !== true) {
    if (tool.conditions !== undefined) applyConditions(verdict, tool, request.args);
    if (gated && (tool.reversibilityWhen !== undefined || request.reversibility !== undefined)) {
      const chosen = callTier(tool, request.args, request.reversibility);
      tier = chosen.tier;
      verdict.tier = tier;
      if (chosen.rules.length > 0) verdict.rules = [...chosen.rules];
    }
  }

  // I: interruption triggers.
  if (
    request.records > 0 &&
    tool.maxRecordsPerCall !== undefined &&
    request.records > tool.maxRecordsPerCall
  ) {
    raise(verdict, 'pause', 'records_per_call_exceeded');
  }
  if (gated && request.resource !== undefined && policy.knownResourceTypes !== undefined) {
    const type = resourceTypeOf(request.resource);
    if (!policy.knownResourceTypes.has(type) && !state.hasSeenResourceType(type))
      raise(verdict, 'pause', 'new_resource_type');
  }
  const needsConfidence = gated && tier !== 'read_only';
  if (needsConfidence && confidence === undefined) verdict.reasons.push('confidence_missing');

  // R: the reversibility gate at the run's maturity level.
  const cell = gateCell(
    policy.level,
    tier,
    confidenceBand(confidence, policy.floor, tool.threshold),
    !needsConfidence,
  );
  for (const reason of cell.reasons) raise(verdict, cell.decision, reason);
  if (SEVERITY[cell.decision] > SEVERITY[verdict.decision]) verdict.decision = cell.decision;

  if (request.approved && verdict.decision === 'pause') verdict.decision = 'proceed_with_log';
  return keepOnlyPossiblePromises(verdict);
}

function matchesAny(patterns: readonly ResourceMatcher[], resource: string | undefined): boolean {
  if (resource === undefined) return false;
  for (const pattern of patterns) if (pattern.test(resource)) return true;
  return false;
}
