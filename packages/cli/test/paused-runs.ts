import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrbit, defineTool, loadManifest, MemorySink, type OrbitOptions } from '@orbit-agents/core';
import type { RunStore } from '@orbit-agents/core/stores';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { z } from 'zod';

/**
 * A manifest whose `update` (a partial write) pauses below confidence 0.9; `draft` (reversible, with an
 * undo), `note` (partial) and `send` (irreversible) run at once.
 */
export const MANIFEST = {
  agent_id: 'billing-agent',
  manifest_version: 1,
  owner_team: '#team-billing',
  deployed_at: '2026-05-01T09:00:00Z',
  task_scope: 'Reconcile invoices',
  maturity_level: 3,
  allowed_tools: [
    { name: 'update', max_calls_per_run: 50, reversibility: 'partial', confidence_threshold: 0.9 },
    { name: 'draft', max_calls_per_run: 50, reversibility: 'reversible' },
    { name: 'note', max_calls_per_run: 50, reversibility: 'partial' },
    { name: 'send', max_calls_per_run: 50, reversibility: 'irreversible' },
  ],
  interruption_policy: { confidence_floor: 0.5, max_tokens_per_run: 80_000, time_limit_minutes: 30 },
};

/** What the tools did (and undid), in order. */
export const sideEffects: string[] = [];

export const update = defineTool({
  name: 'update',
  input: z.object({ id: z.string(), status: z.string() }),
  resource: ({ id }) => `invoice:${id}`,
  records: () => 1,
  execute: ({ id, status }) => void sideEffects.push(`update ${id} ${status}`),
});

/** A fresh SQLite store file in a temporary directory. */
export function sqliteFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'orbit-cli-')), 'runs.db');
}

/** An orbit on `store`, as the application's worker would hold it. */
export async function workerOn(store: RunStore, options: Partial<OrbitOptions> = {}) {
  const manifest = await loadManifest({ manifest: MANIFEST, allowUnsigned: true, logger: { warn() {} } });
  return createOrbit({ manifest, sink: new MemorySink(), store, approvalTimeoutMs: 60_000, ...options });
}

/**
 * Starts a run on `store` whose `update` calls pause (confidence 0.8 < 0.9), one per id: the approvals
 * wait in the store, as after a worker asked and nobody has answered yet.
 */
export async function pauseCalls(store: RunStore, ids: readonly string[]) {
  const orbit = await workerOn(store);
  const run = orbit.startRun();
  const approvals: { approvalId: string; actionHash: string; callId: string }[] = [];
  for (const id of ids) {
    const decision = await run.guardAsync({
      tool: 'update',
      args: { id, status: 'paid' },
      confidence: 0.8,
      records: 1,
      resource: `invoice:${id}`,
    });
    if (decision.decision !== 'pause' || !decision.approval)
      throw new Error(`expected a pause, got ${decision.decision}`);
    approvals.push({
      approvalId: decision.approval.approval_id,
      actionHash: decision.approval.action_hash,
      callId: decision.call_id,
    });
  }
  return { runId: run.id, approvals };
}

/** A SQLite file holding a run with `ids.length` paused calls. */
export async function sqliteWithPauses(ids: readonly string[]) {
  const path = sqliteFile();
  const store = new SqliteStore({ path });
  try {
    return { path, ...(await pauseCalls(store, ids)) };
  } finally {
    await store.close();
  }
}
