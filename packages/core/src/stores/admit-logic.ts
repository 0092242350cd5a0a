import { findingsOf, findLimits, LIMIT, type LimitUsage } from '../gate/limits.js';
import type { AdmitRequest, AdmitResult } from './run-store.js';

/** The counters of one run, as every store keeps them. */
export interface RunCounters {
  calls: Record<string, number>;
  /**
   * Calls per tool and resource (key `resourceCallKey(tool, resource)`), of the tools a run limits per
   * resource. A store may hold only the entries of the call being admitted (SQLite loads one row).
   */
  resourceCalls: Map<string, number>;
  tokens: number;
  records: number;
  startedAt: number;
  halted: boolean;
  extraTokens: number;
  extraRecords: number;
  extraMs: number;
  resourceTypes: string[];
}

/**
 * The check-and-count rules, shared by the memory and SQLite stores (the Redis store runs the same
 * rules in Lua). Reads the chain's counters, returns what it found and mutates them when admitted.
 */
export function admitOn(request: AdmitRequest, counters: (RunCounters | undefined)[]): AdmitResult {
  let found = 0;
  request.chain.forEach((limits, i) => {
    const run = counters[i];
    if (!run) {
      // No record: the run's state is gone (or it never started). It halts: no fresh budget.
      found |= LIMIT.HALTED | LIMIT.STATE_LOST;
      return;
    }
    // Only a finite count >= 0 is usage: anything else would switch the budget off or give it back.
    if (Number.isFinite(request.tokens) && request.tokens > 0) run.tokens += request.tokens;
    const budgets = {
      maxTokens: limits.maxTokens,
      maxRecordsPerRun: limits.maxRecords,
      timeLimitMs: limits.timeLimitMs,
    };
    found |= findLimits(
      budgets,
      limits,
      usageOf(run, request.now),
      request.tool,
      request.records,
      request.resource,
    );
  });
  const result: AdmitResult = { admitted: false, ...findingsOf(found) };
  const own = counters[0];
  if (
    request.resourceType !== undefined &&
    !request.resourceTypeKnown &&
    own &&
    !own.resourceTypes.includes(request.resourceType)
  ) {
    result.newResourceType = true;
  }
  // Escalation tools pass crossed token and time budgets and new resource types, never the records budget.
  const soft =
    result.recordsExceeded ||
    (!request.escalation && (result.tokensExceeded || result.timeExceeded || result.newResourceType));
  if (
    request.count &&
    !result.halted &&
    !result.callsExceeded &&
    !result.resourceCallsExceeded &&
    (request.approved || !soft)
  ) {
    result.admitted = true;
    const key = request.resource === undefined ? undefined : resourceCallKey(request.tool, request.resource);
    counters.forEach((run, i) => {
      if (!run) return;
      run.calls[request.tool] = (run.calls[request.tool] ?? 0) + 1;
      run.records += request.records;
      // Per resource only in the runs that limit the tool so.
      if (key !== undefined && request.chain[i]?.maxCallsPerResource !== undefined)
        run.resourceCalls.set(key, (run.resourceCalls.get(key) ?? 0) + 1);
    });
    if (own && request.resourceType !== undefined && !own.resourceTypes.includes(request.resourceType)) {
      own.resourceTypes.push(request.resourceType);
    }
  }
  return result;
}

/** Fresh counters for a run. */
export function newCounters(startedAt: number): RunCounters {
  return {
    // A null prototype: a tool named `constructor` or `toString` is counted like any other.
    calls: Object.create(null) as Record<string, number>,
    resourceCalls: new Map(),
    tokens: 0,
    records: 0,
    startedAt,
    halted: false,
    extraTokens: 0,
    extraRecords: 0,
    extraMs: 0,
    resourceTypes: [],
  };
}

/** A store's counters of one run, as the limit rules read them. */
function usageOf(run: RunCounters, now: number): LimitUsage {
  return {
    halted: run.halted,
    callsOf: (tool) => run.calls[tool] ?? 0,
    callsOn: (tool, resource) => run.resourceCalls.get(resourceCallKey(tool, resource)) ?? 0,
    tokens: run.tokens,
    records: run.records,
    elapsedMs: now - run.startedAt,
    extraTokens: run.extraTokens,
    extraRecords: run.extraRecords,
    extraMs: run.extraMs,
  };
}

/**
 * The key of a tool's calls on a resource: `tool`, a NUL, `resource`. Tool names hold no NUL (the
 * manifest allows letters, digits, `_.:-`), so the key is unambiguous; the Redis script builds the same.
 */
export function resourceCallKey(tool: string, resource: string): string {
  return `${tool}\u0000${resource}`;
}
