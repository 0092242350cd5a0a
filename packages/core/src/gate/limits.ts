import { halt, raise, type Verdict } from './verdict.js';

/**
 * The one budget and admission model of every run, in memory or on a store: `findLimits` says which
 * limits a call crosses in one run of its chain (the in-memory gate runs it over the run and its
 * ancestors; the memory and SQLite stores run it inside their atomic check-and-count, and the Redis
 * store runs the same rule in Lua), and `applyLimits` turns what was found into the decision's
 * reasons. Nothing else in ORBIT reads a budget. What is found is a bit set (`LIMIT`): the decision
 * path allocates nothing for it.
 */

/** The limits a call can cross, as bits of one number. */
export const LIMIT = {
  /** The run (or an ancestor) has halted. */
  HALTED: 1,
  /** The tool's call limit is used up. */
  CALLS: 2,
  TOKENS: 4,
  RECORDS: 8,
  TIME: 16,
  /** The call's resource type is neither known to the manifest nor seen before in the run. */
  NEW_RESOURCE_TYPE: 32,
  /** A run of the chain has no state in the store (deleted, expired, lost): it halts, never starts afresh. */
  STATE_LOST: 64,
  /** The tool's call limit on the call's resource (`max_calls_per_resource`) is used up. */
  RESOURCE_CALLS: 128,
} as const;

/** A run's budgets (a compiled policy has these fields). `undefined`: no limit. */
export interface RunBudgets {
  readonly maxTokens?: number | undefined;
  readonly maxRecordsPerRun?: number | undefined;
  readonly timeLimitMs?: number | undefined;
}

/** One run's usage, as the limit rules read it (a ledger, or a store's counters). */
export interface LimitUsage {
  readonly halted: boolean;
  /** Calls of `tool` counted so far. */
  callsOf(tool: string): number;
  /**
   * Calls of `tool` on `resource` counted so far. Only tools with a per-resource limit are counted per
   * resource (asked only for them): for any other tool the answer is never read.
   */
  callsOn(tool: string, resource: string): number;
  readonly tokens: number;
  readonly records: number;
  readonly elapsedMs: number;
  /** Budget extensions granted by a human during the run. */
  readonly extraTokens: number;
  readonly extraRecords: number;
  readonly extraMs: number;
}

/** What checking a call against its runs' limits found, as a store reports it. */
export interface LimitFindings {
  halted: boolean;
  callsExceeded: boolean;
  tokensExceeded: boolean;
  recordsExceeded: boolean;
  timeExceeded: boolean;
  /** The tool's per-resource call limit is used up on the call's resource (`max_calls_per_resource`). */
  resourceCallsExceeded?: boolean;
  /** The call's resource type is neither known to the manifest nor seen before in this run. */
  newResourceType: boolean;
  /**
   * A run of the chain has no state in the store, or part of it is gone (a store reports it; `halted` is
   * set too, so a reader of `halted` alone still fails closed).
   */
  stateLost?: boolean;
}

/** A tool's call limits in one run: per run, and per resource (`undefined`: none). */
export interface CallLimits {
  readonly maxCalls?: number | undefined;
  readonly maxCallsPerResource?: number | undefined;
}

/**
 * The limits one run sets for a call to `tool` on `resource` touching `records` records, crossed by
 * its usage: a `LIMIT` bit set. `calls`: the tool's call limits in that run (`undefined`: none); a call
 * without a resource is not held to the per-resource limit. OR the results of a run and its ancestors
 * together.
 */
export function findLimits(
  budgets: RunBudgets,
  calls: CallLimits | undefined,
  usage: LimitUsage,
  tool: string,
  records: number,
  resource: string | undefined,
): number {
  let found = 0;
  if (usage.halted) found |= LIMIT.HALTED;
  if (calls !== undefined) {
    const { maxCalls, maxCallsPerResource } = calls;
    if (maxCalls !== undefined && usage.callsOf(tool) >= maxCalls) found |= LIMIT.CALLS;
    if (
      maxCallsPerResource !== undefined &&
      resource !== undefined &&
      usage.callsOn(tool, resource) >= maxCallsPerResource
    )
      found |= LIMIT.RESOURCE_CALLS;
  }
  if (budgets.maxTokens !== undefined && usage.tokens > budgets.maxTokens + usage.extraTokens)
    found |= LIMIT.TOKENS;
  if (
    records > 0 &&
    budgets.maxRecordsPerRun !== undefined &&
    usage.records + records > budgets.maxRecordsPerRun + usage.extraRecords
  ) {
    found |= LIMIT.RECORDS;
  }
  if (budgets.timeLimitMs !== undefined && usage.elapsedMs > budgets.timeLimitMs + usage.extraMs)
    found |= LIMIT.TIME;
  return found;
}

/** A bit set as a store's findings. */
export function findingsOf(found: number): LimitFindings {
  return {
    halted: (found & LIMIT.HALTED) !== 0,
    callsExceeded: (found & LIMIT.CALLS) !== 0,
    tokensExceeded: (found & LIMIT.TOKENS) !== 0,
    recordsExceeded: (found & LIMIT.RECORDS) !== 0,
    timeExceeded: (found & LIMIT.TIME) !== 0,
    newResourceType: (found & LIMIT.NEW_RESOURCE_TYPE) !== 0,
    stateLost: (found & LIMIT.STATE_LOST) !== 0,
    resourceCallsExceeded: (found & LIMIT.RESOURCE_CALLS) !== 0,
  };
}

/** A store's findings as a bit set. */
export function bitsOf(findings: LimitFindings): number {
  return (
    (findings.halted ? LIMIT.HALTED : 0) |
    (findings.callsExceeded ? LIMIT.CALLS : 0) |
    (findings.tokensExceeded ? LIMIT.TOKENS : 0) |
    (findings.recordsExceeded ? LIMIT.RECORDS : 0) |
    (findings.timeExceeded ? LIMIT.TIME : 0) |
    (findings.newResourceType ? LIMIT.NEW_RESOURCE_TYPE : 0) |
    (findings.resourceCallsExceeded ? LIMIT.RESOURCE_CALLS : 0) |
    (findings.stateLost ? LIMIT.STATE_LOST | LIMIT.HALTED : 0)
  );
}

/**
 * Turns found limits (a `LIMIT` bit set) into the verdict's reasons: a halted run halts; an exhausted
 * call limit (per run, or per resource) blocks; crossed budgets pause (soft) or halt (`hard`); a new resource type pauses.
 * Escalation tools pass the soft token and time budgets and new resource types (never the records
 * budget); a crossed records budget matters only to a call that touches records. Returns true when
 * it halted.
 */
export function applyLimits(
  verdict: Verdict,
  found: number,
  hard: boolean,
  escalation: boolean,
  records: number,
): boolean {
  if (found === 0) return false;
  if (found & LIMIT.STATE_LOST) {
    halt(verdict, 'run_state_lost');
    return true;
  }
  if (found & LIMIT.HALTED) {
    halt(verdict, 'run_halted');
    return true;
  }
  if (found & LIMIT.CALLS) raise(verdict, 'block', 'max_calls_exceeded');
  if (found & LIMIT.RESOURCE_CALLS) raise(verdict, 'block', 'resource_call_limit_reached');
  if (found & LIMIT.TOKENS && budget(verdict, hard, 'token_budget_exceeded', escalation)) return true;
  if (found & LIMIT.TIME && budget(verdict, hard, 'time_limit_exceeded', escalation)) return true;
  if (found & LIMIT.RECORDS && records > 0 && budget(verdict, hard, 'records_budget_exceeded', false))
    return true;
  if (found & LIMIT.NEW_RESOURCE_TYPE && !escalation) raise(verdict, 'pause', 'new_resource_type');
  return false;
}

function budget(
  verdict: Verdict,
  hard: boolean,
  reason: 'token_budget_exceeded' | 'time_limit_exceeded' | 'records_budget_exceeded',
  exempt: boolean,
): boolean {
  if (hard) {
    halt(verdict, reason);
    return true;
  }
  if (!exempt) raise(verdict, 'pause', reason);
  return false;
}
