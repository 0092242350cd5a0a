import type { ApprovalRequest } from '../approvals/approval.js';
import type { Verdict } from '../gate/decide.js';
import type { Tier } from '../gate/tier.js';

/** A decision on one call, stamped with the run, the tool and the manifest digest. Plain and serialisable. */
export interface Decision extends Verdict {
  readonly run_id: string;
  readonly agent_id: string;
  readonly call_id: string;
  readonly tool: string;
  /** The call's tier: its tool's reversibility, or `escalation` for an escalation tool. */
  readonly reversibility: Tier;
  /**
   * The manifest rules that chose the call's tier, when any did: `reversibility_when[<i>]`,
   * `reversibility_when[<i>]:error` (skipped), `reversibility_hook`, `reversibility_hook:capped` (the hook
   * asked for a tier below `reversibility_min`: the manifest's stands), `reversibility_hook:invalid`.
   */
  readonly rules?: string[];
  readonly manifest_digest: string;
  readonly maturity_level: number;
  /** Present when `decision` is `pause`: the request a human must answer. */
  readonly approval?: ApprovalRequest;
  /** Details for people (e.g. which input field was invalid). */
  readonly detail?: string;
  /** What the person who denied the call said (the answer's `comment`): the agent is told it. */
  readonly comment?: string;
}

/** What the model is told when a call does not run: structured, so it can reason about it. */
export interface Refusal {
  readonly refused: true;
  readonly tool: string;
  readonly decision: Decision['decision'];
  readonly reasons: Decision['reasons'];
  readonly message: string;
  /** What the person who denied the call said, when they said something (also in `message`). */
  readonly comment?: string;
}

/** Turns a decision that did not run into the refusal the model receives. */
export function toRefusal(decision: Decision): Refusal {
  // The detail is a sentence of its own (what was wrong), ended before the advice that follows it.
  const detail = decision.detail
    ? ` ${/[.!?]$/.test(decision.detail) ? decision.detail : `${decision.detail}.`}`
    : '';
  const { comment } = decision;
  const said = comment === undefined ? '' : ` The person who denied it said: ${comment}`;
  return {
    refused: true,
    tool: decision.tool,
    decision: decision.decision,
    reasons: decision.reasons,
    message: `ORBIT did not run "${decision.tool}" (${decision.decision}: ${decision.reasons.join(', ')}).${detail}${said} Do not retry the same call; continue with another step or flag it for human review.`,
    ...(comment === undefined ? {} : { comment }),
  };
}
