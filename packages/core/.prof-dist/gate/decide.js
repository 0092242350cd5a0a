import { confidenceBand, gateCell } from './decision-table.js';
import { resourceTypeOf } from './policy.js';
import { SEVERITY } from './reason-codes.js';
/** True for a number in [0, 1]. */
export function isValidConfidence(value) {
    return typeof value === 'number' && value >= 0 && value <= 1;
}
/**
 * The decision point. Checks, in order: boundary (B) → budgets and interruption triggers (I) →
 * reversibility gate at the maturity level (R). The most severe decision that fired wins, and every
 * reason that fired is kept. Pure: it reads the policy and the run's state and changes nothing.
 */
export function decide(policy, request, state) {
    const confidence = isValidConfidence(request.confidence) ? request.confidence : undefined;
    const verdict = { decision: 'proceed', reasons: [], confidence: confidence ?? null };
    // B: boundary. An out-of-manifest or blocked tool halts at any confidence and level.
    if (state.halted)
        return halt(verdict, 'run_halted');
    if (policy.blocked.has(request.tool))
        return halt(verdict, 'tool_explicitly_blocked');
    const tool = policy.tools.get(request.tool);
    if (tool === undefined)
        return halt(verdict, 'tool_not_in_manifest');
    if (tool.resources !== undefined && !matchesAny(tool.resources, request.resource)) {
        return halt(verdict, 'resource_not_in_manifest');
    }
    if (state.callsOf(tool.name) >= tool.maxCalls)
        raise(verdict, 'block', 'max_calls_exceeded');
    // I: budgets and interruption triggers. A crossed run budget pauses (soft) or halts (hard).
    const budget = policy.budgetMode === 'hard' ? 'halt' : 'pause';
    const gated = !tool.escalation;
    if (policy.maxTokens !== undefined && state.tokens > policy.maxTokens + state.extraTokens) {
        if (budget === 'halt')
            return halt(verdict, 'token_budget_exceeded');
        if (gated)
            raise(verdict, 'pause', 'token_budget_exceeded');
    }
    if (policy.timeLimitMs !== undefined && state.elapsedMs > policy.timeLimitMs + state.extraMs) {
        if (budget === 'halt')
            return halt(verdict, 'time_limit_exceeded');
        if (gated)
            raise(verdict, 'pause', 'time_limit_exceeded');
    }
    if (request.records > 0) {
        if (policy.maxRecordsPerRun !== undefined &&
            state.records + request.records > policy.maxRecordsPerRun + state.extraRecords) {
            if (budget === 'halt')
                return halt(verdict, 'records_budget_exceeded');
            raise(verdict, 'pause', 'records_budget_exceeded');
        }
        if (tool.maxRecordsPerCall !== undefined && request.records > tool.maxRecordsPerCall) {
            raise(verdict, 'pause', 'records_per_call_exceeded');
        }
    }
    if (gated && request.resource !== undefined && policy.knownResourceTypes !== undefined) {
        const type = resourceTypeOf(request.resource);
        if (!policy.knownResourceTypes.has(type) && !state.hasSeenResourceType(type))
            raise(verdict, 'pause', 'new_resource_type');
    }
    const needsConfidence = gated && tool.reversibility !== 'read_only';
    if (needsConfidence && confidence === undefined)
        verdict.reasons.push('confidence_missing');
    // R: the reversibility gate at the run's maturity level.
    const cell = gateCell(policy.level, tool.reversibility, confidenceBand(confidence, policy.floor, tool.threshold), !needsConfidence);
    for (const reason of cell.reasons)
        raise(verdict, cell.decision, reason);
    if (SEVERITY[cell.decision] > SEVERITY[verdict.decision])
        verdict.decision = cell.decision;
    if (request.approved && verdict.decision === 'pause')
        verdict.decision = 'proceed_with_log';
    return verdict;
}
function halt(verdict, reason) {
    verdict.decision = 'halt';
    verdict.reasons.push(reason);
    return verdict;
}
function raise(verdict, decision, reason) {
    verdict.reasons.push(reason);
    if (SEVERITY[decision] > SEVERITY[verdict.decision])
        verdict.decision = decision;
}
function matchesAny(patterns, resource) {
    if (resource === undefined)
        return false;
    for (const pattern of patterns)
        if (pattern.test(resource))
            return true;
    return false;
}
