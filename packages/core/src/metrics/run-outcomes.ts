import type { AuditEvent } from '../audit/audit-event.js';
import { ratio } from './statistics.js';

/**
 * How an agent's runs ended. A run that started and never ended counts as `abandoned` (and in
 * `neverEnded`), unless it started within `openRunGraceMs` of the log's end (`open`). Runs that ended
 * without a `task_outcome` are `unreported`. Rates are over `success + failure + abandoned`.
 */
export interface RunOutcomes {
  started: number;
  /** Runs with an end event (`ended` or `halted`). */
  ended: number;
  halted: number;
  success: number;
  failure: number;
  /** Reported `abandoned`, plus `neverEnded`. */
  abandoned: number;
  neverEnded: number;
  unreported: number;
  open: number;
  taskSuccessRate: number | null;
  abandonmentRate: number | null;
}

/** What the log says about one run of an agent. */
export interface RunState {
  started: boolean;
  /** NaN when the start event's `ts` is not a time. */
  startedMs: number;
  end: 'ended' | 'halted' | undefined;
  outcome: string | undefined;
}

/** Records a `run` event (started, ended or halted) on its run's state, created on first sight. */
export function recordRunEvent(runs: Map<string, RunState>, event: AuditEvent, ms: number): void {
  let state = runs.get(event.run_id);
  if (!state) {
    state = { started: false, startedMs: Number.NaN, end: undefined, outcome: undefined };
    runs.set(event.run_id, state);
  }
  if (event.run === 'started') {
    state.started = true;
    state.startedMs = ms;
  } else if (event.run === 'ended' || event.run === 'halted') {
    state.end = event.run;
    state.outcome = event.task_outcome;
  }
}

/**
 * Counts how an agent's runs ended. A run without an end that started at or after
 * `lastMs - openRunGraceMs` (with a grace above 0) is open, not abandoned.
 */
export function summarizeRunOutcomes(
  states: Iterable<RunState>,
  lastMs: number,
  openRunGraceMs: number,
): RunOutcomes {
  const runs: RunOutcomes = {
    started: 0,
    ended: 0,
    halted: 0,
    success: 0,
    failure: 0,
    abandoned: 0,
    neverEnded: 0,
    unreported: 0,
    open: 0,
    taskSuccessRate: null,
    abandonmentRate: null,
  };
  const openSince = lastMs - openRunGraceMs;
  for (const state of states) {
    if (state.started) runs.started++;
    if (state.end === undefined) {
      if (!state.started) continue;
      if (openRunGraceMs > 0 && state.startedMs >= openSince) {
        runs.open++;
      } else {
        runs.neverEnded++;
        runs.abandoned++;
      }
      continue;
    }
    runs.ended++;
    if (state.end === 'halted') runs.halted++;
    if (state.outcome === 'success') runs.success++;
    else if (state.outcome === 'failure') runs.failure++;
    else if (state.outcome === 'abandoned') runs.abandoned++;
    else runs.unreported++;
  }
  const known = runs.success + runs.failure + runs.abandoned;
  runs.taskSuccessRate = ratio(runs.success, known);
  runs.abandonmentRate = ratio(runs.abandoned, known);
  return runs;
}
