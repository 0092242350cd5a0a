import type { ApprovalAnswer, ApprovalRequest } from '@orbit-agents/core';
import { type PauseDetails, type PauseRequest, pauseDetails } from '@orbit-agents/core/adapter';

/** One decision of LangChain's `HITLResponse`, with ORBIT's optional fields. */
export type OrbitHITLDecision =
  | {
      type: 'approve';
      /** Who answered; defaults to the adapter's `approver` option. */
      approver?: string;
      comment?: string;
      /** When given, it must equal the request's: an approval for other arguments is refused. */
      action_hash?: string;
      /** Raises the run's soft budgets (the answer to a budget pause). */
      extend_budget?: { tokens?: number; records?: number; minutes?: number };
    }
  | {
      type: 'edit';
      editedAction: { name: string; args: Record<string, unknown> };
      approver?: string;
      comment?: string;
      action_hash?: string;
    }
  | {
      type: 'reject';
      /**
       * What the model reads: the content of the call's error `ToolMessage`, as LangChain's
       * `humanInTheLoopMiddleware` gives it. Recorded as the answer's `comment` in the audit log.
       */
      message?: string;
      approver?: string;
      action_hash?: string;
      /** Rejects and halts the run: nothing further runs. */
      stop_run?: boolean;
    };

/** The resume value for one ORBIT interrupt: LangChain's `HITLResponse` (one decision per action request). */
export interface OrbitHITLResponse {
  decisions: OrbitHITLDecision[];
}

/** What ORBIT adds to the interrupt payload: why the call paused and what answering it binds to (the kit's pause details). */
export type OrbitInterruptDetails = PauseDetails;

/**
 * The interrupt payload of a paused call: LangChain's `HITLRequest` (so its human-in-the-loop UIs
 * render it as they are), plus `orbit` with the reasons, confidence and reversibility.
 */
export interface OrbitInterruptValue {
  actionRequests: { name: string; args: Record<string, unknown>; description: string }[];
  reviewConfigs: {
    actionName: string;
    allowedDecisions: ('approve' | 'edit' | 'reject')[];
    argsSchema?: Record<string, unknown>;
  }[];
  orbit: OrbitInterruptDetails;
}

/** True for an interrupt value this adapter raised. */
export function isOrbitInterrupt(value: unknown): value is OrbitInterruptValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    'orbit' in value &&
    Array.isArray((value as { actionRequests?: unknown }).actionRequests)
  );
}

/** The interrupt payload of a pause: LangChain's `HITLRequest` plus ORBIT's details. */
export function interruptValue(pause: PauseRequest): OrbitInterruptValue {
  const { decision, approval: request, depth, argsSchema, error } = pause;
  const confidence = request.confidence === null ? 'no confidence' : `confidence ${request.confidence}`;
  return {
    actionRequests: [
      {
        name: request.tool,
        args: (request.args ?? {}) as Record<string, unknown>,
        description: `ORBIT paused "${request.tool}" (${request.reversibility}, ${confidence}): ${request.reasons.join(', ')}.`,
      },
    ],
    reviewConfigs: [
      {
        actionName: request.tool,
        allowedDecisions: ['approve', 'edit', 'reject'],
        ...(argsSchema ? { argsSchema } : {}),
      },
    ],
    orbit: pauseDetails(decision, depth, error),
  };
}

/**
 * Turns a resume value into the core's approval answer, or says what is wrong with it. Accepts a
 * `HITLResponse` with exactly one decision, or that one decision alone.
 */
export function toApprovalAnswer(
  value: unknown,
  request: ApprovalRequest,
  defaultApprover: string,
): { answer: ApprovalAnswer; bound: boolean } | { error: string } {
  const decisions = (value as { decisions?: unknown } | null)?.decisions;
  const decision = (Array.isArray(decisions) ? (decisions.length === 1 ? decisions[0] : undefined) : value) as
    | OrbitHITLDecision
    | undefined;
  if (Array.isArray(decisions) && decisions.length !== 1) {
    return {
      error: `Expected decisions to hold exactly 1 decision for this call (${request.tool}), got ${decisions.length}.`,
    };
  }
  if (!decision || typeof decision !== 'object' || !('type' in decision)) {
    return {
      error:
        'Expected the resume value to be { decisions: [{ type: "approve" | "edit" | "reject" }] } (HITLResponse).',
    };
  }
  const base = {
    action_hash: decision.action_hash ?? request.action_hash,
    approver: decision.approver ?? defaultApprover,
  };
  // The answer names the request it was given for (else it is taken as this request's).
  const bound = decision.action_hash !== undefined;
  switch (decision.type) {
    case 'approve':
      return {
        bound,
        answer: {
          type: 'approve',
          ...base,
          ...(decision.comment === undefined ? {} : { comment: decision.comment }),
          ...(decision.extend_budget ? { extend_budget: decision.extend_budget } : {}),
        },
      };
    case 'reject':
      return {
        bound,
        answer: {
          type: 'deny',
          ...base,
          ...(decision.message === undefined ? {} : { comment: decision.message }),
          ...(decision.stop_run ? { stop_run: true } : {}),
        },
      };
    case 'edit': {
      const edited = decision.editedAction;
      if (!edited || typeof edited !== 'object' || edited.name !== request.tool) {
        return {
          error: `Expected editedAction.name to be "${request.tool}": an edit changes the arguments, not the tool.`,
        };
      }
      return {
        bound,
        answer: {
          type: 'edit',
          ...base,
          args: edited.args,
          ...(decision.comment === undefined ? {} : { comment: decision.comment }),
        },
      };
    }
    default:
      return {
        error: `Expected decision.type to be "approve", "edit" or "reject", got ${JSON.stringify((decision as { type: unknown }).type)}.`,
      };
  }
}
