// What the stores part measures through: a manifest and a tool every call passes, guarded calls on a run, a
// store's own admit request, and the anchors (a bare node:sqlite statement, a bare Lua script on Redis).
import { randomUUID } from 'node:crypto';
import type { Orbit, Run, RunStore } from '@orbit-agents/core';
import type { AdmitRequest } from '@orbit-agents/core/stores';
import type { TimedOp } from './op-rounds.js';

/** The manifest of the stores part: one `partial` tool, limits no bench call comes near. */
export const STORE_MANIFEST = {
  agent_id: 'bench-stores',
  owner_team: '#bench',
  deployed_at: '2026-12-01T09:00:00Z',
  task_scope: 'Benchmark the stores',
  maturity_level: 3,
  allowed_tools: [
    {
      name: 'update_invoice_status',
      max_calls_per_run: 1e12,
      reversibility: 'partial',
      confidence_threshold: 0.88,
    },
  ],
  interruption_policy: {
    confidence_floor: 0.72,
    max_tokens_per_run: 1e15,
    max_records_touched_per_run: 1e15,
  },
} as const;

/** The tool's arguments (with the confidence `run.execute` reads) and the guard request. */
export const RAW_ARGS = { invoice_id: 'INV-1', status: 'paid', confidence: 0.95 } as const;
export const GUARD_REQUEST = {
  tool: 'update_invoice_status',
  args: { invoice_id: 'INV-1', status: 'paid' },
  confidence: 0.95,
  records: 1,
} as const;

/** Throws unless a guarded call proceeded: a bench of a refused call would time the refusal. */
export function proceeded(decision: { decision: string; reasons: readonly string[] }): void {
  if (decision.decision !== 'proceed')
    throw new Error(
      `stores bench: the call was not admitted (${decision.decision}: ${decision.reasons.join(', ')})`,
    );
}

/**
 * A timed `run.guardAsync` named `names.guard` and, with `execute`, a timed `execute(run)` named
 * `names.execute`, on one run of `orbit`.
 */
export function guardedOps(
  orbit: Orbit,
  names: { guard: string; execute?: string },
  execute?: (run: Run) => Promise<unknown>,
): TimedOp[] {
  const run = orbit.startRun();
  const ops: TimedOp[] = [
    { name: names.guard, op: async () => proceeded(await run.guardAsync(GUARD_REQUEST)) },
  ];
  if (execute && names.execute) ops.push({ name: names.execute, op: () => execute(run) });
  return ops;
}

/** A started run on `store` and the admit request of one call in it (count it, every limit far away). */
export async function admitRequest(store: RunStore, manifestDigest: string): Promise<AdmitRequest> {
  const treeId = `tree-${randomUUID()}`;
  await store.startRun(
    { treeId, runId: treeId, startedAt: Date.now(), manifestDigest },
    { mode: 'start', ttlMs: 3_600_000 },
  );
  return {
    treeId,
    chain: [{ runId: treeId, maxCalls: 1e12, maxTokens: 1e15, maxRecords: 1e15, timeLimitMs: 3_600_000 }],
    tool: 'update_invoice_status',
    records: 1,
    tokens: 0,
    count: true,
    approved: false,
    now: Date.now(),
  };
}

/** A timed `store.admit(request)` that must admit. */
export function admitOp(name: string, store: RunStore, request: AdmitRequest): TimedOp {
  return {
    name,
    op: async () => {
      const result = await store.admit(request);
      if (!result.admitted) throw new Error(`stores bench: ${name} did not admit: ${JSON.stringify(result)}`);
    },
  };
}

/** The bare SQLite anchor's SQL: a counter row, counted in one statement when under its limit. */
export const BARE_SQLITE = {
  schema: 'CREATE TABLE IF NOT EXISTS counters (id TEXT PRIMARY KEY, calls INTEGER NOT NULL)',
  insert: "INSERT OR REPLACE INTO counters (id, calls) VALUES ('run-1', 0)",
  count: 'UPDATE counters SET calls = calls + 1 WHERE id = ? AND calls < ? RETURNING calls',
} as const;

/** The bare Redis anchor: an `INCR` with a limit check, one key, undone when over the limit. */
export const INCR_WITH_LIMIT = `local n = redis.call('INCR', KEYS[1])
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return -1
end
return n`;
