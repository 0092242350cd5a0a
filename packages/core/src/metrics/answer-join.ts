import type { AuditEvent } from '../audit/audit-event.js';
import { APPROVAL_OUTCOMES, type ApprovalOutcome } from './interrupt-resolution.js';
import type { MetricsGroup } from './metrics-group.js';

/** What an answer needs from the paused decision it answers. */
export interface PauseInfo {
  readonly groups: readonly MetricsGroup[];
  readonly confidence: number | undefined;
}

const ANSWERS = new Set<string>(APPROVAL_OUTCOMES);

/**
 * Joins answers to the paused decision they answer, by `run_id` + `call_id`, in any order and across
 * files: an answer seen before its decision waits for it.
 */
export class AnswerJoin {
  /** Paused decisions whose answer has not been seen yet, by run and call. */
  private readonly paused = new Map<string, PauseInfo>();
  /** Answers whose paused decision has not been seen yet (files out of order), by run and call. */
  private readonly orphans = new Map<string, AuditEvent[]>();

  /** A paused decision: takes the answers that came before it, or waits for its answer. */
  pause(event: AuditEvent, info: PauseInfo): void {
    const key = callKey(event);
    const early = this.orphans.get(key);
    if (early) {
      this.orphans.delete(key);
      for (const answer of early) applyAnswer(info, answer);
    } else {
      this.paused.set(key, info);
    }
  }

  /** An `approval` event: counted on its paused decision, or kept until that decision is seen. */
  answer(event: AuditEvent): void {
    if (event.approval === undefined || event.approval === 'requested') return;
    if (!ANSWERS.has(event.approval)) return;
    const key = callKey(event);
    const info = this.paused.get(key);
    if (info) {
      this.paused.delete(key);
      applyAnswer(info, event);
      return;
    }
    const early = this.orphans.get(key);
    if (early) early.push(event);
    else this.orphans.set(key, [event]);
  }

  /** Takes the answers whose decision was never seen (each counts for its agent and tool only). */
  takeOrphans(): AuditEvent[] {
    const answers = [...this.orphans.values()].flat();
    this.orphans.clear();
    return answers;
  }
}

/** Counts an answer on every group of the decision it answers. */
export function applyAnswer(info: PauseInfo, event: AuditEvent): void {
  const answer = event.approval as ApprovalOutcome;
  for (const group of info.groups) group.addAnswer(answer, event.waited_ms, info.confidence);
}

function callKey(event: AuditEvent): string {
  return `${event.run_id}\u0000${String(event.call_id)}`;
}
