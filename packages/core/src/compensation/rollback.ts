import type { ExecutedAction } from '../ledger/memory-ledger.js';
import type { Reversibility } from '../manifest/manifest-schema.js';

/** One executed action in a rollback report. */
export interface RollbackEntry {
  call_id: string;
  tool: string;
  reversibility: Reversibility;
  resource?: string;
  error?: string;
}

/** What a rollback did and what is left for people to do. */
export interface RollbackReport {
  /** Reversible actions whose undo ran, in the order they were undone (newest first). */
  undone: RollbackEntry[];
  /** Reversible actions whose undo threw: recover these by hand. */
  undo_failed: RollbackEntry[];
  /** Partial actions (and reversible ones without an undo): the manual-recovery checklist. */
  manual_recovery: RollbackEntry[];
  /** Irreversible actions: cannot be undone. */
  unrecoverable: RollbackEntry[];
  /**
   * In very long runs, executed actions without an undo beyond the run's `maxTrackedCalls`, counted per
   * tool instead of listed: find them in the audit log (`outcome` events with `status: executed`).
   */
  omitted?: Record<string, number>;
  /** A rollback from the store (`rollbackStoredRun`): actions an earlier rollback undid, not undone again. */
  already_undone?: RollbackEntry[];
}

type Result = 'undone' | 'undo_failed' | 'manual_recovery' | 'unrecoverable';

/** Walks executed actions newest first and compensates each by its tier. */
export async function compensate(
  actions: readonly ExecutedAction[],
  record: (action: ExecutedAction, result: Result, error?: unknown) => void,
): Promise<RollbackReport> {
  const report: RollbackReport = { undone: [], undo_failed: [], manual_recovery: [], unrecoverable: [] };
  for (let i = actions.length - 1; i >= 0; i--) {
    const action = actions[i]!;
    if (action.reversibility === 'read_only') continue;
    const entry: RollbackEntry = {
      call_id: action.callId,
      tool: action.tool,
      reversibility: action.reversibility,
      ...(action.resource === undefined ? {} : { resource: action.resource }),
    };
    let result: Result;
    let error: unknown;
    if (action.reversibility === 'irreversible') result = 'unrecoverable';
    else if (action.reversibility === 'partial' || !action.undo) result = 'manual_recovery';
    else {
      try {
        await action.undo();
        result = 'undone';
      } catch (caught) {
        error = caught;
        entry.error = caught instanceof Error ? caught.message : String(caught);
        result = 'undo_failed';
      }
    }
    report[result].push(entry);
    record(action, result, error);
  }
  return report;
}
