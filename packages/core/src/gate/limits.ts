import { halt, raise, type Verdict } from './verdict.js';

/**
 * The one budget and admission model of every run, in memory or on a store: `findLimits` says which
 * limits a call crosses in one run of its chain (the in-memory gate runs it over the run and its
 * ancestors; the memory and SQLite stores run it inside their atomic check-and-count, and the Redis
 * store runs the same rule in Lua), and `applyLimits` turns what was found into the decision's
 * reasons. Nothing else in ORBIT reads a budget.
 */

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
  readonly tokens: number;
  readonly records: number;
  readonly elapsedMs: number;
  /** Budget extensions granted by a human during the run. */
  readonly extraTokens: number;
  readonly extraRecords: number;
  readonly extraMs: number;
}

/** What checking a call against its runs' limits found. */
export interface LimitFindings {
  halted: boolean;
  callsExceeded: boolean;
  tokensExceeded: boolean;
  recordsExceeded: boolean;
  timeExceeded: boolean;
  /** The call's resource type is neither known to the manifest nor seen before in this run. */
  newResourceType: boolean;
}

/** Findings with nothing found. */
export function noFindings(): LimitFindings {
  return {
    halted: false,
    callsExceeded: false,
    tokensExceeded: false,
    recordsExceeded: false,
    timeExceeded: false,
    newResourceType: false,
  };
}

/**
 * Adds what one run's limits say of a call to `tool` touching `records` records to `found`.
 * `maxCalls`: the tool's call limit in that run (`undefined`: none).
 */
export function findLimits(
  budgets: RunBudgets,
  maxCalls: number | undefined,
  usage: LimitUsage,
  tool: string,
  records: number,
  found: LimitFindings,
): void {
  if (usage.halted) found.halted = true;
  if (maxCalls !== undefined && usage.callsOf(tool) >= maxCalls) found.callsExceeded = true;
  if (budgets.maxTokens !== undefined && usage.tokens > budgets.maxTokens + usage.extraTokens)
    found.tokensExceeded = true;
  if (
    records > 0 &&
    budgets.maxRecordsPerRun !== undefined &&
    usage.records + records > budgets.maxRecordsPerRun + usage.extraRecords
  ) {
    found.recordsExceeded = true;
  }
  if (budgets.timeLimitMs !== undefined && usage.elapsedMs > budgets.timeLimitMs + usage.extraMs)
    found.timeExceeded = true;
}

/** How a call is gated by its budgets. */
export interface LimitRules {
  /** `hard` budgets halt the run; `soft` ones pause for a human. */
  readonly hard: boolean;
  /** Escalation tools pass the soft token and time budgets and new resource types (never the records budget). */
  readonly escalation: boolean;
  /** Records the call touches: a crossed records budget matters only to a call that touches records. */
  readonly records: number;
}

/**
 * Turns findings into the verdict's reasons: a halted run halts; an exhausted call limit blocks;
 * crossed budgets pause (soft) or halt (hard); a new resource type pauses. Returns true when it halted.
 */
export function applyLimits(verdict: Verdict, found: LimitFindings, rules: LimitRules): boolean {
  if (found.halted) {
    halt(verdict, 'run_halted');
    return true;
  }
  if (found.callsExceeded) raise(verdict, 'block', 'max_calls_exceeded');
  if (found.tokensExceeded && budget(verdict, rules, 'token_budget_exceeded', rules.escalation)) return true;
  if (found.timeExceeded && budget(verdict, rules, 'time_limit_exceeded', rules.escalation)) return true;
  if (
    found.recordsExceeded &&
    rules.records > 0 &&
    budget(verdict, rules, 'records_budget_exceeded', false)
  ) {
    return true;
  }
  if (found.newResourceType && !rules.escalation) raise(verdict, 'pause', 'new_resource_type');
  return false;
}

function budget(
  verdict: Verdict,
  rules: LimitRules,
  reason: 'token_budget_exceeded' | 'time_limit_exceeded' | 'records_budget_exceeded',
  exempt: boolean,
): boolean {
  if (rules.hard) {
    halt(verdict, reason);
    return true;
  }
  if (!exempt) raise(verdict, 'pause', reason);
  return false;
}
