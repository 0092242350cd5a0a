import type { ExecutedAction } from '../ledger/memory-ledger.js';
import type { Reversibility } from '../manifest/manifest-schema.js';
import type { ToolDefinition } from '../run/define-tool.js';
import type { RunStore, StoredAction } from '../stores/run-store.js';
import { compensate, type RollbackReport } from './rollback.js';

/** What a rollback will do with one executed action of a stored run. */
export interface StoredRollbackStep {
  call_id: string;
  tool: string;
  reversibility: Reversibility;
  resource?: string;
  /** `undo`: its tool's undo runs; `manual_recovery`: a person recovers it; `unrecoverable`: irreversible. */
  plan: 'undo' | 'manual_recovery' | 'unrecoverable';
  /** Why it is not undone (for `manual_recovery`). */
  why?: string;
}

/** Which run to roll back, and the application's tools (their undos). */
export interface StoredRollbackOptions {
  /** The run tree's id (the root run's id; for a root run, its own id). */
  treeId: string;
  runId: string;
  /** The tools the run used, by name: undos live in the tools' code. */
  tools: readonly ToolDefinition[];
}

/**
 * The rollback plan of a run kept in a store (its compensation log), newest first as a rollback runs:
 * each write with what will be done. Read-only actions are left out, as in `run.rollback()`.
 *
 * @throws StoreUnavailableError when the store cannot be reached.
 */
export async function planStoredRollback(
  store: RunStore,
  options: StoredRollbackOptions,
): Promise<StoredRollbackStep[]> {
  const actions = await store.listActions(options.treeId, options.runId);
  return executedActions(actions, options)
    .reverse()
    .filter(({ action }) => action.reversibility !== 'read_only')
    .map(({ action, why }) => ({
      call_id: action.callId,
      tool: action.tool,
      reversibility: action.reversibility,
      ...(action.resource === undefined ? {} : { resource: action.resource }),
      plan:
        action.reversibility === 'irreversible'
          ? 'unrecoverable'
          : action.undo === undefined
            ? 'manual_recovery'
            : 'undo',
      ...(action.reversibility !== 'irreversible' && why !== undefined ? { why } : {}),
    }));
}

/**
 * Rolls back a run kept in a store, from any process: runs the undos of its executed reversible actions
 * (with the arguments and output the store kept) newest first, and lists partial actions (and those whose
 * undo cannot run here) for manual recovery and irreversible ones as unrecoverable, as `run.rollback()`
 * does. The compensation log is read, not emptied: a second rollback runs the undos again.
 *
 * @throws StoreUnavailableError when the store cannot be reached.
 */
export async function rollbackStoredRun(
  store: RunStore,
  options: StoredRollbackOptions,
): Promise<RollbackReport> {
  const actions = await store.listActions(options.treeId, options.runId);
  return compensate(
    executedActions(actions, options).map(({ action }) => action),
    () => {},
  );
}

/** The stored actions with the undo each can run here (oldest first), or why none can. */
function executedActions(
  actions: readonly StoredAction[],
  { runId, tools }: StoredRollbackOptions,
): { action: ExecutedAction; why?: string }[] {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return actions.map((stored) => {
    const tool = byName.get(stored.tool);
    let why: string | undefined;
    if (stored.reversibility === 'partial') why = 'a partial action: recovered by hand';
    else if (stored.status === 'error') why = 'the call failed: what it changed is checked by hand';
    else if (!tool) why = `no tool named "${stored.tool}" among the tools given`;
    else if (!tool.undo) why = `the tool "${stored.tool}" has no undo`;
    else if (!('args' in stored)) why = 'its arguments were not kept in the store';
    else if (stored.outputKept === false)
      why = 'its output could not be kept in the store (not JSON, or too large)';
    const undo =
      why === undefined && tool?.undo
        ? () =>
            tool.undo!(stored.args, stored.output, {
              runId,
              callId: stored.callId,
              agentId: stored.agentId ?? '',
            })
        : undefined;
    return {
      action: {
        callId: stored.callId,
        tool: stored.tool,
        reversibility: stored.reversibility,
        resource: stored.resource,
        undo,
      },
      ...(why === undefined ? {} : { why }),
    };
  });
}
