import type { AuditEvent } from '../audit/audit-event.js';
import type { Finding } from './finding.js';

/** The answer of a detector to an event that tipped nothing: shared, so the hot path allocates nothing. */
export const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** True for the event that closes a run: `run` ended or halted. */
export function isRunEnd(event: AuditEvent): boolean {
  return event.event === 'run' && (event.run === 'ended' || event.run === 'halted');
}

/**
 * Per-run detector state, bounded: a run's state goes when the run ends or halts, and when more
 * than `limit` runs are held (runs that crashed without an end event), the oldest is forgotten.
 */
export class RunStates<State> {
  private readonly states = new Map<string, State>();
  private readonly create: () => State;
  private readonly limit: number;

  constructor(create: () => State, limit: number) {
    this.create = create;
    this.limit = limit;
  }

  /** The run's state, created on first use. */
  of(runId: string): State {
    let state = this.states.get(runId);
    if (state === undefined) {
      if (this.states.size >= this.limit) this.states.delete(this.states.keys().next().value!);
      state = this.create();
      this.states.set(runId, state);
    }
    return state;
  }

  /** The run's state if it has one; creates nothing. */
  peek(runId: string): State | undefined {
    return this.states.get(runId);
  }

  drop(runId: string): void {
    this.states.delete(runId);
  }

  get size(): number {
    return this.states.size;
  }
}
