import { type Decision, type Run, RunHaltedError, toRefusal } from '@orbit-agents/core';
import { haltOf, recallCall } from '@orbit-agents/core/adapter';
import { ApprovalAnswerInvalidError, ApprovalUnknownError } from '@orbit-agents/core/errors';
import type { ModelMessage, ToolApprovalStatus } from 'ai';
import { toApprovalAnswer } from './answers.js';
import { callOf } from './call.js';
import { deliveredAnswers, type HistoryRequest } from './history.js';
import type { Invocation } from './invocation.js';
import type { OrbitAi } from './orbit-ai.js';
import { pauseReason } from './pending.js';

// How ORBIT's decisions and a person's answers become the SDK's approval statuses and tool results.

/** The SDK's approval status for ORBIT's decision. */
export async function statusOf(
  binding: OrbitAi,
  invocation: Invocation,
  decision: Decision,
): Promise<ToolApprovalStatus> {
  // A call that ran, presented again (a resume delivered twice): its recorded result answers it.
  if (
    decision.reasons.includes('already_executed') &&
    binding.registry.stateOf(invocation.run).results.has(decision.call_id)
  )
    return 'not-applicable';
  switch (decision.decision) {
    case 'proceed':
      return 'not-applicable';
    case 'proceed_with_log':
      return {
        type: 'approved',
        reason: `ORBIT allowed "${decision.tool}" with a log entry (${decision.reasons.join(', ') || decision.reversibility}).`,
      };
    case 'pause':
      return decision.approval ? { type: 'user-approval', reason: pauseReason(decision) } : 'not-applicable';
    case 'block': {
      const refusal = await refuse(invocation, decision);
      return { type: 'denied', reason: refusal.message };
    }
    default: {
      const halt = await haltCall(invocation, decision);
      invocation.stop(halt);
      throw halt;
    }
  }
}

/**
 * A halted call ends unexecuted: `perform` records its outcome (once) and ends its span, as a tool
 * handler's halt does, and gives the `RunHaltedError` that stops the invocation.
 */
async function haltCall(invocation: Invocation, decision: Decision): Promise<RunHaltedError> {
  try {
    await invocation.run.perform(decision, () => undefined);
  } catch (error) {
    const halt = haltOf(error);
    if (halt) return halt;
    throw error;
  }
  return new RunHaltedError(decision);
}

/**
 * Applies the answers a call delivers (`tool-approval-response` parts after the last assistant
 * message), before any tool runs: each must answer a request ORBIT raised before (a request the
 * client made up, automatic or not, is refused), bound to its action hash. A person's denial is
 * recorded here (the SDK never shows it to a tool); a denial with `stop_run` halts the run.
 *
 * @throws ApprovalUnknownError, ApprovalHashMismatchError, ApprovalAnswerInvalidError (the request
 * stays pending); RunHaltedError for a `stop_run`.
 */
export async function applyAnswers(
  binding: OrbitAi,
  invocation: Invocation,
  messages: readonly ModelMessage[],
): Promise<void> {
  const { run, tools } = invocation;
  for (const { response, request } of deliveredAnswers(messages)) {
    const { call } = request;
    const sub = tools.subAgents.get(call.toolName);
    if (sub) {
      if (request.isAutomatic) throw automaticAnswer(request, run);
      await sub.answer(invocation, call, response);
      continue;
    }
    const entry = tools.guarded.get(call.toolName);
    if (!entry) continue; // not a tool of this call: the SDK refuses the answer itself
    const decision = await recallCall(run, binding.orbit, callOf(call), entry.guarded);
    if (!decision) throw neverDecided(call, run, request.approvalId);
    let settled = decision;
    if (decision.decision === 'pause' && decision.approval) {
      // ORBIT's pauses are answered by people: an answer marked automatic is not one.
      if (request.isAutomatic) throw automaticAnswer(request, run);
      const approver = invocation.approver ?? binding.options.approver ?? 'ai-sdk:tool-approval-response';
      const given = invocation.approver === undefined ? response : withoutApprover(response);
      const parsed = toApprovalAnswer(given, decision.approval, approver);
      if ('error' in parsed) {
        throw new ApprovalAnswerInvalidError(
          'ERR_APPROVAL_ANSWER_INVALID',
          parsed.error,
          decision.approval.approval_id,
        );
      }
      settled = (await run.resolveApproval(decision.approval.approval_id, parsed.answer, entry.guarded.shape))
        .decision;
    }
    if (settled.decision === 'halt') invocation.stop(new RunHaltedError(settled));
    else if (settled.decision === 'block') await refuse(invocation, settled);
  }
  invocation.throwIfHalted();
}

/** A response without the client's `orbit.approver` (the server named who answered). */
function withoutApprover(response: Record<string, unknown>): Record<string, unknown> {
  const orbit = response.orbit as Record<string, unknown> | undefined;
  if (!orbit || !('approver' in orbit)) return response;
  const { approver: _client, ...rest } = orbit;
  return { ...response, orbit: rest };
}

/** An answer marked automatic on a request only a person can answer (or a made-up one). */
function automaticAnswer(request: HistoryRequest, run: Run): ApprovalAnswerInvalidError {
  return new ApprovalAnswerInvalidError(
    'ERR_APPROVAL_ANSWER_INVALID',
    `The messages answer request "${request.approvalId}" for call "${request.call.toolCallId}" (${request.call.toolName}) in run "${run.id}" as automatic, but ORBIT asked a person: the request's isAutomatic was changed.`,
    request.approvalId,
  );
}

/**
 * A call the conversation holds that ORBIT never decided (a client that made it up, with a request and
 * an answer, or another thread's): its answer is not applied, the call is not run.
 */
export function neverDecided(
  call: { toolCallId: string; toolName: string },
  run: Run,
  approvalId: string,
): ApprovalUnknownError {
  return new ApprovalUnknownError(
    'ERR_APPROVAL_UNKNOWN',
    `The messages hold call "${call.toolCallId}" (${call.toolName}) as asked and answered, but ORBIT never decided that call in run "${run.id}": an answer applies only to a request ORBIT raised, and a call the model did not make is not run.`,
    approvalId,
  );
}

/**
 * A call the SDK will not run (ORBIT's `denied`, or a person's denial): its outcome is recorded (once,
 * however often it is presented) and the model reads ORBIT's refusal in place of the SDK's.
 */
async function refuse(invocation: Invocation, decision: Decision) {
  await invocation.run.perform(decision, () => undefined);
  const refusal = toRefusal(decision);
  invocation.remember(decision.call_id, { type: 'execution-denied', reason: refusal.message });
  return refusal;
}
