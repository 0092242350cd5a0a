import { Command, type Interrupt } from '@langchain/langgraph';
import { isOrbitInterrupt, type OrbitHITLDecision, type OrbitInterruptValue } from './hitl.js';

/** A pending ORBIT approval of an interrupted invoke: the interrupt's id and its payload. */
export interface PendingApproval {
  id: string;
  value: OrbitInterruptValue;
}

/** The ORBIT approvals an interrupted `invoke` result is waiting on (sub-agents' included). */
export function pendingApprovals(result: { __interrupt__?: Interrupt[] } | undefined): PendingApproval[] {
  return (result?.__interrupt__ ?? [])
    .filter((entry): entry is Interrupt & { id: string } => typeof entry.id === 'string')
    .filter((entry) => isOrbitInterrupt(entry.value))
    .map((entry) => ({ id: entry.id, value: entry.value as OrbitInterruptValue }));
}

/**
 * The `Command` that resumes an interrupted invoke, one answer per pending approval, keyed by
 * interrupt id (a plain `Command({ resume })` would give every pending interrupt the same answer).
 * `decide` sees each approval and returns its decision; every pending one must be answered.
 *
 * @example
 * const next = await agent.invoke(resumeWith(result, (p) => p.value.orbit.tool === 'refund' ? { type: 'reject' } : { type: 'approve' }), config);
 */
export function resumeWith(
  result: { __interrupt__?: Interrupt[] } | undefined,
  decide: (pending: PendingApproval) => OrbitHITLDecision,
): Command {
  const resume: Record<string, { decisions: OrbitHITLDecision[] }> = {};
  for (const pending of pendingApprovals(result)) resume[pending.id] = { decisions: [decide(pending)] };
  return new Command({ resume });
}
