import { Command, type Interrupt } from '@langchain/langgraph';
import { isOrbitInterrupt, type OrbitHITLDecision, type OrbitInterruptValue } from './hitl.js';

/** A resume `Command`: it fits any graph's update and node types. */
// biome-ignore lint/suspicious/noExplicitAny: the graph's own types are not known here.
export type ResumeCommand = Command<unknown, any, any>;

/** A pending ORBIT approval of an interrupted invoke: the interrupt's id and its payload. */
export interface PendingApproval {
  id: string;
  value: OrbitInterruptValue;
}

/** The ORBIT approvals an interrupted `invoke` result is waiting on (sub-agents' included). */
export function pendingApprovals(result: object | undefined): PendingApproval[] {
  const interrupts = (result as { __interrupt__?: Interrupt[] } | undefined)?.__interrupt__ ?? [];
  return interrupts
    .filter((entry): entry is Interrupt & { id: string } => typeof entry.id === 'string')
    .filter((entry) => isOrbitInterrupt(entry.value))
    .map((entry) => ({ id: entry.id, value: entry.value as OrbitInterruptValue }));
}

/**
 * The `Command` that resumes an interrupted invoke, one answer per pending approval, keyed by
 * interrupt id (a plain `Command({ resume })` would give every pending interrupt the same answer).
 * `decide` sees each approval and returns its decision. Each answer carries the request's
 * `action_hash` (unless `decide` sets one), so it can only ever apply to the call it was given for.
 *
 * @example
 * const next = await agent.invoke(resumeWith(result, (p) => p.value.orbit.tool === 'refund' ? { type: 'reject' } : { type: 'approve' }), config);
 */
export function resumeWith(
  result: object | undefined,
  decide: (pending: PendingApproval) => OrbitHITLDecision,
): ResumeCommand {
  const resume: Record<string, { decisions: OrbitHITLDecision[] }> = {};
  for (const pending of pendingApprovals(result)) {
    const decision = decide(pending);
    resume[pending.id] = {
      decisions: [{ ...decision, action_hash: decision.action_hash ?? pending.value.orbit.action_hash }],
    };
  }
  return new Command({ resume });
}
