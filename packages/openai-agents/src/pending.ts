import type { RunToolApprovalItem } from '@openai/agents';
import type { ApprovalAnswer, ApprovalRequest, Run } from '@orbit-agents/core';
import { type PauseDetails, pauseDetails, recallCall } from '@orbit-agents/core/adapter';
import { canonicalJson } from '@orbit-agents/core/audit';
import {
  ApprovalAlreadyAnsweredError,
  ApprovalAnswerInvalidError,
  ApprovalHashMismatchError,
  ApprovalUnknownError,
  CallIdReusedError,
  OptionsInvalidError,
} from '@orbit-agents/core/errors';
import { type OrbitAnswer, toApprovalAnswer } from './answers.js';
import { checkRunState, isRecord, shown } from './check-input.js';
import { GUARDED } from './guarded-tool.js';
import type { OrbitAgents } from './orbit-agents.js';
import type { AnyRunState } from './sdk-types.js';
import type { ToolEntry } from './tool-entry.js';

/** An interruption with what a person needs to answer it; `orbit` is missing when ORBIT did not raise it. */
export interface PendingApproval {
  /** The SDK's interruption (`result.interruptions[i]`). */
  readonly item: RunToolApprovalItem;
  readonly orbit: (PauseDetails & { args: unknown }) | undefined;
}

/** The interruptions of a paused result or state, each with ORBIT's pause details. */
export async function pendingApprovals(
  binding: OrbitAgents,
  paused: { interruptions?: unknown[]; state?: AnyRunState } | AnyRunState,
): Promise<PendingApproval[]> {
  const state = stateOf(paused);
  const items = state.getInterruptions() as RunToolApprovalItem[];
  const pending: PendingApproval[] = [];
  for (const item of items) {
    const found = await recalled(binding, state, item);
    const approval = found?.decision.approval;
    pending.push({
      item,
      orbit: approval && { ...pauseDetails(found.decision, found.run.depth), args: approval.args },
    });
  }
  return pending;
}

/** Checks an answer against ORBIT's pause, keeps it for the call's `execute`, and lets the SDK resume the call. */
export async function answerInterruption(
  binding: OrbitAgents,
  state: AnyRunState,
  interruption: unknown,
  answer: OrbitAnswer,
): Promise<void> {
  checkRunState(state, 'orbitAgents.answer(state, interruption, answer) state');
  const item = (
    isRecord(interruption) && isRecord(interruption.item) ? interruption.item : interruption
  ) as RunToolApprovalItem;
  if (!isRecord(item) || !isRecord(item.rawItem))
    throw new OptionsInvalidError(
      `Expected orbitAgents.answer(state, interruption, answer) interruption to be one of pendingApprovals() or the SDK's interruption (result.interruptions[i]), got ${shown(interruption)}.`,
    );
  const found = await recalled(binding, state, item);
  const callId = callIdOf(item);
  if (!found)
    throw new ApprovalUnknownError(
      'ERR_APPROVAL_UNKNOWN',
      `ORBIT raised no approval for call ${JSON.stringify(callId)} (${JSON.stringify(item?.name)}): it answers only interruptions ORBIT paused. Use state.approve / state.reject for others.`,
      String(callId),
    );
  const { decision, run, entry } = found;
  const { approval } = decision;
  const context = state._context.context;
  const earlier = binding.answers.peek(run, callId!, context);
  if (earlier !== undefined && approval) {
    // The first answer stands: the same answer again (a retried request) changes nothing, another is refused.
    const given = toApprovalAnswer(answer, approval, binding.approver);
    if ('error' in given)
      throw new ApprovalAnswerInvalidError('ERR_APPROVAL_ANSWER_INVALID', given.error, approval.approval_id);
    const first = toApprovalAnswer(earlier, approval, binding.approver);
    if ('error' in first || canonicalJson(first.answer) !== canonicalJson(given.answer))
      throw new ApprovalAlreadyAnsweredError(
        'ERR_APPROVAL_ALREADY_ANSWERED',
        `Approval "${approval.approval_id}" of "${approval.tool}" (call ${callId}) was answered already (${JSON.stringify(earlier)}): the first answer stands.`,
        approval.approval_id,
      );
    state.approve(item);
    return;
  }
  // Answered before (a resume delivered again): the first answer stands, the SDK replays the call.
  if (decision.decision !== 'pause' || !approval || run.answeredArgs(callId!) !== undefined) {
    state.approve(item);
    return;
  }
  const parsed = toApprovalAnswer(answer, approval!, binding.approver);
  if ('error' in parsed)
    throw new ApprovalAnswerInvalidError('ERR_APPROVAL_ANSWER_INVALID', parsed.error, approval!.approval_id);
  if (parsed.answer.action_hash !== approval!.action_hash)
    throw new ApprovalHashMismatchError(
      'ERR_APPROVAL_HASH_MISMATCH',
      `The answer to approval "${approval!.approval_id}" carries action_hash ${parsed.answer.action_hash}, but the request's is ${approval!.action_hash}: it was given for other arguments. The request stays pending.`,
      approval!.approval_id,
    );
  // A denial is recorded now: it holds wherever the call resumes, also from a context that lost
  // orbit_answers (restored with the SDK's fromStringWithContext), where the SDK's approval alone would run it.
  if (parsed.answer.type === 'deny') {
    binding.answers.denial(run, callId!, decision);
    await recordDenial(binding, run, approval, parsed.answer, entry);
  }
  // Kept with the state too: whichever process resumes it applies this answer, not the SDK's bare approval.
  binding.answers.give(run, callId!, parsed.answer, context);
  // The SDK runs the call's execute, where ORBIT applies the answer (a denial is ORBIT's refusal).
  state.approve(item);
}

/**
 * Records a person's denial in the core at once (nothing runs, so nothing is claimed). `stop_run` halts
 * the run now; from inside a sub-agent, the whole run stops when a call of it is next decided or run,
 * so that no sibling invocation running in parallel on resume executes after the stop.
 */
async function recordDenial(
  binding: OrbitAgents,
  run: Run,
  approval: ApprovalRequest,
  answer: ApprovalAnswer,
  entry: ToolEntry,
): Promise<void> {
  await run.resolveApproval(approval.approval_id, answer, entry.guarded.shape);
  if (answer.type === 'deny' && answer.stop_run === true && run.depth > 0) binding.stopsAsked.add(run.root);
}

/** ORBIT's recorded pause of an interruption, and the run it belongs to. */
async function recalled(binding: OrbitAgents, state: AnyRunState, item: RunToolApprovalItem) {
  const callId = callIdOf(item);
  const entry = entryOf(item);
  if (callId === undefined || !entry) return undefined;
  let args: unknown;
  try {
    args = JSON.parse(String(item.arguments ?? '{}'));
  } catch {
    return undefined;
  }
  let reused: unknown;
  for (const run of candidates(binding, state)) {
    let decision: Awaited<ReturnType<typeof recallCall>>;
    try {
      decision = await recallCall(run, binding.orbit, { tool: entry.name, args, callId }, entry.guarded);
    } catch (error) {
      // The id names another call of this run (a parent's and its sub-agent's calls may share an id): look on.
      if (!CallIdReusedError.isInstance(error)) throw error;
      reused ??= error;
      continue;
    }
    // Paused, or answered and run since: a call ORBIT put to a person.
    if (decision && (decision.approval || decision.reasons.includes('already_executed')))
      return { run, decision, entry };
    // Denied with answer() in this process, recorded then: its pause, for the details and a second answer.
    const pause = decision ? binding.answers.pauseOf(run, callId) : undefined;
    if (pause) return { run, decision: pause, entry };
  }
  // No run paused this call, and one holds other arguments under its id: a state edited since the pause.
  if (reused !== undefined) throw reused;
  return undefined;
}

/** The runs an interruption may belong to: the thread's, and the sub-agents' this process delegated to. */
function candidates(binding: OrbitAgents, state: AnyRunState): Run[] {
  const root = binding.actingRun(state._context as never);
  const runs: Run[] = [root];
  const walk = (run: Run) => {
    for (const child of binding.registry.stateOf(run).children) {
      runs.push(child);
      walk(child);
    }
  };
  walk(root.root === root ? root : root.root);
  return runs;
}

function entryOf(item: RunToolApprovalItem): ToolEntry | undefined {
  const name = item?.toolName ?? item?.name;
  const tool = (item?.agent?.tools as unknown[] | undefined)?.find(
    (candidate) => (candidate as { name?: string }).name === name,
  );
  const entry = (tool as Record<symbol, unknown> | undefined)?.[GUARDED];
  return typeof entry === 'object' ? (entry as ToolEntry) : undefined;
}

function callIdOf(item: RunToolApprovalItem): string | undefined {
  const raw = item?.rawItem as { callId?: string } | undefined;
  return raw?.callId;
}

function stateOf(paused: { state?: AnyRunState } | AnyRunState): AnyRunState {
  const state = isRecord(paused) && isRecord(paused.state) ? paused.state : paused;
  checkRunState(state, 'orbitAgents.pendingApprovals(paused) (a run result or its state)');
  return state as AnyRunState;
}
