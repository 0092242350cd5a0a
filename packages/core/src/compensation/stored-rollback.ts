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
  /**
   * `undo`: its tool's undo runs; `manual_recovery`: a person recovers it; `unrecoverable`: irreversible;
   * `already_undone`: an earlier rollback from the store ran its undo (it does not run again).
   */
  plan: 'undo' | 'manual_recovery' | 'unrecoverable' | 'already_undone';
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
  const { pending, undone } = readLog(await store.listActions(options.treeId, options.runId));
  return executedActions(store, pending, undone, options)
    .reverse()
    .filter(({ action }) => action.reversibility !== 'read_only')
    .map(({ action, why, done }) => ({
      call_id: action.callId,
      tool: action.tool,
      reversibility: action.reversibility,
      ...(action.resource === undefined ? {} : { resource: action.resource }),
      plan: done
        ? 'already_undone'
        : action.reversibility === 'irreversible'
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
 * does. Each undo that ran is marked in the log (`status: 'undone'`), so a second rollback does not
 * run it again (it lists it in `already_undone`) and retries only the undos that failed. An undo whose
 * mark the store could not record is reported in `undo_failed` (it ran: check it by hand). Two
 * rollbacks of one run at the same time are not serialised.
 *
 * @throws StoreUnavailableError when the store cannot be reached.
 */
export async function rollbackStoredRun(
  store: RunStore,
  options: StoredRollbackOptions,
): Promise<RollbackReport> {
  const { pending, undone } = readLog(await store.listActions(options.treeId, options.runId));
  const actions = executedActions(store, pending, undone, options);
  const report = await compensate(
    actions.filter(({ done }) => !done).map(({ action }) => action),
    () => {},
  );
  const already = actions
    .filter(({ done, action }) => done && action.reversibility !== 'read_only')
    .reverse()
    .map(({ action }) => ({
      call_id: action.callId,
      tool: action.tool,
      reversibility: action.reversibility,
      ...(action.resource === undefined ? {} : { resource: action.resource }),
    }));
  if (already.length > 0) report.already_undone = already;
  return report;
}

/** The log's actions, and the calls an earlier rollback marked undone. */
function readLog(log: readonly StoredAction[]): { pending: StoredAction[]; undone: Set<string> } {
  const undone = new Set(log.filter((entry) => entry.status === 'undone').map((entry) => entry.callId));
  return { pending: log.filter((entry) => entry.status !== 'undone'), undone };
}

/** The stored actions with the undo each can run here (oldest first), or why none can. */
function executedActions(
  store: RunStore,
  actions: readonly StoredAction[],
  undone: ReadonlySet<string>,
  { treeId, runId, tools }: StoredRollbackOptions,
): { action: ExecutedAction; why?: string; done: boolean }[] {
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
        ? async () => {
            await tool.undo!(stored.args, stored.output, {
              runId,
              callId: stored.callId,
              agentId: stored.agentId ?? '',
            });
            const { callId, tool: name, reversibility } = stored;
            try {
              await store.appendAction(treeId, runId, {
                callId,
                tool: name,
                reversibility,
                status: 'undone',
              });
            } catch (error) {
              const why = error instanceof Error ? error.message : String(error);
              throw new Error(
                `undone, but the store could not record it (a later rollback would undo it again): ${why}`,
              );
            }
          }
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
      done: undone.has(stored.callId),
    };
  });
}
