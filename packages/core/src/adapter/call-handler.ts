import type { ApprovalAnswer, ApprovalRequest } from '../approvals/approval.js';
import {
  ApprovalAnswerInvalidError,
  ApprovalHashMismatchError,
  ArgumentInvalidError,
  CallDuplicateError,
  describeInputError,
} from '../errors.js';
import { snapshotArgs } from '../run/args-snapshot.js';
import type { Orbit } from '../run/create-orbit.js';
import { type Decision, type Refusal, toRefusal } from '../run/decision.js';
import { askReversibility } from '../run/define-tool.js';
import type { GuardRequest } from '../run/guard-request.js';
import type { Run } from '../run/run.js';
import { haltOf } from './halt-of.js';
import type { RunRegistry } from './run-registry.js';
import { type GuardedTool, jsonSchemaOf } from './tool-hints.js';

/** How often a pause is asked again after refused answers, before the call gives up (a framework that never suspends). */
const MAX_ASKS = 100;

/** One tool call as the framework presents it. */
export interface FrameworkCall {
  /** The tool the model named. */
  readonly tool: string;
  /** The arguments as the model gave them (with ORBIT's confidence argument). */
  readonly args: unknown;
  /** The framework's tool call id: presenting the same id again is a replay, never a new call. */
  readonly callId: string | undefined;
  /**
   * Several guarded calls share one framework task, so answers found by their position could be
   * another call's: they must name their request (carry its `action_hash`). Read only when a call pauses.
   */
  readonly shared?: boolean | (() => boolean);
  /**
   * The decision `decideCall` made for this very call moments ago (a framework that asks before it runs
   * the tool), with the call as it was read: it is used as it is, not read and looked up again.
   */
  readonly decided?: DecidedCall;
}

/** A call decided by `decideCall`: the decision, and the call as it was read for it. */
export interface DecidedCall {
  readonly decision: Decision;
  readonly read: ReadCall;
}

/** A pause, as the adapter shows it in the framework: the request, and why an earlier answer was refused. */
export interface PauseRequest {
  readonly decision: Decision;
  readonly approval: ApprovalRequest;
  /** The paused run's depth: 0 for the agent, 1 for its sub-agent, … */
  readonly depth: number;
  /** The tool input's JSON schema, for edit forms. */
  readonly argsSchema: Record<string, unknown> | undefined;
  /** Set when an earlier answer to this request was refused; the request is still pending. */
  readonly error: string | undefined;
}

/** What the framework supplies: how to ask a person, how to run the tool, and its result shapes. */
export interface FrameworkHooks<Result> {
  /**
   * Raises the framework's own pause and returns the answer, in the framework's shape. May throw to
   * suspend (a LangGraph interrupt); it is called again when the framework resumes.
   */
  ask(pause: PauseRequest): unknown | Promise<unknown>;
  /** The framework's answer as the core's approval answer, or what is wrong with it. */
  toAnswer(
    value: unknown,
    approval: ApprovalRequest,
  ): { answer: ApprovalAnswer; bound: boolean } | { error: string };
  /** A call answered earlier is presented again: the framework takes its answers' positions again. */
  replayAsks?(count: number): void;
  /** Runs the tool with the arguments ORBIT settled on: the framework's result, and the output ORBIT records. */
  invoke(args: unknown, callId: string): Promise<{ result: Result; output: unknown }>;
  /** The framework's result for a call that did not run. */
  refused(refusal: Refusal, callId: string): Result;
  /** The framework's result for a tool that threw. */
  failed(error: unknown, callId: string): Result;
  /** Errors that suspend the call rather than end it (the framework's interrupt from inside a sub-agent). */
  suspends(error: unknown): boolean;
  /** Told with the refusal of an answer that does not name its request in a shared step: how to make one that does. */
  readonly sharedStepHint?: string;
  /** `throw`: a tool's error ends the framework's run instead of becoming a result. Default `message`. */
  readonly toolErrors?: 'message' | 'throw';
}

/**
 * The one decision path of an adapter's tool call, generic over the framework:
 * 1. reads the arguments once into plain data (`input_unsupported` for what cannot be read), reads the
 *    confidence and validates the arguments (`input_invalid` is a refusal the model reads);
 * 2. guards the call (`guardAsync` on a store): a call presented again gets its recorded decision,
 *    and an executed one its recorded result, without running again;
 * 3. on a pause, asks through `hooks.ask` until an answer is valid and, in a shared task, names its
 *    request; a hash mismatch or an invalid answer asks again; the answer that won (maybe another
 *    process's) applies;
 * 4. a call answered before runs with the answer's arguments (an edit's);
 * 5. runs the tool through `run.perform`, its outcome recorded once; a call presented again while an
 *    earlier presentation is in flight (a node re-run, a concurrent resume) waits for it and gets its result;
 * 6. maps the outcome: executed → the tool's result (kept for replays), refused → `hooks.refused`,
 *    a halt inside the tool → rethrown, a tool error → `hooks.failed` (or rethrown with `toolErrors: 'throw'`).
 *
 * @throws RunHaltedError when the call halts the run; whatever `hooks.ask` throws to suspend.
 */
export async function handleCall<Result>(
  registry: RunRegistry<Result>,
  run: Run,
  call: FrameworkCall,
  tool: GuardedTool,
  hooks: FrameworkHooks<Result>,
): Promise<Result> {
  const { callId } = call;
  // A call's own tool presenting it again must not wait on itself, nor take over its in-flight entry.
  if (callId === undefined || registry.isExecuting(callId)) return present(registry, run, call, tool, hooks);
  const { running } = registry.stateOf(run);
  // Presented again while an earlier presentation is in flight (a node re-run while the tool still
  // runs, a concurrent resume, a decision under way on a store): wait for it, then present the call
  // again, which finds its recorded result (or refuses other arguments under the same id).
  for (let inFlight = running.get(callId); inFlight; inFlight = running.get(callId)) {
    const error = await inFlight.then(
      () => undefined,
      (caught: unknown) => caught ?? new Error('the call failed'),
    );
    // It suspended (the framework's pause): the call is open again. Look again: another waiter may have taken it up.
    if (error !== undefined && !hooks.suspends(error)) throw error;
  }
  const presentation = present(registry, run, call, tool, hooks);
  running.set(callId, presentation);
  try {
    return await presentation;
  } finally {
    if (running.get(callId) === presentation) running.delete(callId);
  }
}

/** One presentation of a call: decide, ask if it pauses, run it once, map the outcome. */
async function present<Result>(
  registry: RunRegistry<Result>,
  run: Run,
  call: FrameworkCall,
  tool: GuardedTool,
  hooks: FrameworkHooks<Result>,
): Promise<Result> {
  const state = registry.stateOf(run);
  const { request, args, input } = call.decided?.read ?? readCall(registry.orbit, call, tool);
  // In memory the decision is synchronous: no promise, no tick.
  let decision =
    call.decided?.decision ?? (run.usesStore ? await run.guardAsync(request) : run.guard(request));
  const replayed = call.callId === undefined ? undefined : state.results.get(call.callId);
  if (replayed !== undefined && decision.reasons.includes('already_executed')) return replayed;
  let answered: { args: unknown; editedArgs?: unknown } | undefined;
  if (decision.decision === 'pause' && decision.approval) {
    const resolved = await ask(registry, run, call, decision, tool, hooks);
    decision = resolved.decision;
    answered = resolved;
  } else if (call.callId !== undefined) {
    // Answered before (the framework re-runs after the tool suspended): the answer's arguments.
    answered = run.answeredArgs(call.callId);
    if (answered) hooks.replayAsks?.(state.asks.get(call.callId) ?? 0);
  }
  let settled = tool.parsesItself ? args : input;
  if (answered) settled = tool.parsesItself ? (answered.editedArgs ?? args) : answered.args;
  return perform(registry, run, call, tool, hooks, decision, settled, call.callId ?? decision.call_id);
}

/** A framework's call read for the gate: the guard request, the arguments without the confidence, and the parsed input. */
export interface ReadCall {
  readonly request: GuardRequest;
  /** The model's arguments as read, without ORBIT's confidence argument. */
  readonly args: unknown;
  /** The arguments parsed by the tool's schema (the arguments as read when they do not parse). */
  readonly input: unknown;
}

/**
 * Reads a framework's call once into plain data, before the confidence and the schema see it: what
 * cannot be read is guarded as it is, and refused there (`input_unsupported`) with its decision
 * recorded; arguments that fail the schema are guarded with `inputError` (`input_invalid`).
 */
export function readCall(orbit: Orbit, call: FrameworkCall, tool: GuardedTool): ReadCall {
  const raw = snapshotArgs(call.args);
  const { confidence, args } = raw.ok
    ? orbit.confidence.read(raw.args)
    : { confidence: undefined, args: call.args };
  const { shape } = tool;
  const parsed = raw.ok ? shape.input.safeParse(args) : undefined;
  const input = parsed?.success ? parsed.data : args;
  const request: GuardRequest = {
    tool: call.tool,
    args: input,
    confidence,
    callId: call.callId,
    inputError: parsed && !parsed.success ? describeInputError(parsed.error) : undefined,
    records: parsed?.success ? (shape.records?.(input) ?? 0) : 0,
    resource: parsed?.success ? shape.resource?.(input) : undefined,
    reversibility: parsed?.success ? askReversibility(shape, input, Date.now()) : undefined,
  };
  return { request, args, input };
}

/**
 * Decides a framework's call (`guard`, or `guardAsync` on a store), for a framework that asks for the
 * decision before it runs the tool (the AI SDK's `toolApproval`); `handleCall` then finds it recorded.
 */
export async function decideCall(
  run: Run,
  orbit: Orbit,
  call: FrameworkCall,
  tool: GuardedTool,
): Promise<DecidedCall> {
  const read = readCall(orbit, call, tool);
  const decision = run.usesStore ? await run.guardAsync(read.request) : run.guard(read.request);
  return { decision, read };
}

/**
 * The recorded decision of a framework's call, never a new one (`Run.recall`): an answer a client
 * presents for a call applies only when ORBIT paused that call before.
 */
export function recallCall(
  run: Run,
  orbit: Orbit,
  call: FrameworkCall,
  tool: GuardedTool,
): Promise<Decision | undefined> {
  return run.recall(readCall(orbit, call, tool).request);
}

/** Runs the call once through `run.perform` and maps its outcome onto the framework's result. */
async function perform<Result>(
  registry: RunRegistry<Result>,
  run: Run,
  call: FrameworkCall,
  tool: GuardedTool,
  hooks: FrameworkHooks<Result>,
  decision: Decision,
  settled: unknown,
  id: string,
): Promise<Result> {
  const { undo } = tool;
  let result: Result | undefined;
  let outcome: Awaited<ReturnType<Run['perform']>>;
  try {
    outcome = await run.perform(
      decision,
      async () => {
        const done = await registry.executing(id, () => hooks.invoke(settled, id));
        result = done.result;
        return done.output;
      },
      {
        approval: decision.approval,
        suspends: hooks.suspends,
        undo:
          undo &&
          ((output) => undo(settled as never, output, { runId: run.id, callId: id, agentId: run.agentId })),
      },
    );
  } catch (error) {
    if (!CallDuplicateError.isInstance(error)) throw error;
    // Running elsewhere (another binding, or a call without an id): refused here, it runs once.
    const duplicate = {
      ...decision,
      decision: 'block' as const,
      reasons: [...decision.reasons, 'already_executed' as const],
    };
    return hooks.refused(toRefusal(duplicate), id);
  }
  if (outcome.status === 'executed') {
    if (call.callId !== undefined) registry.remember(run, call.callId, result as Result);
    return result as Result;
  }
  if (outcome.status === 'refused') return hooks.refused(outcome.refusal, id);
  // A halt inside the tool (a guarded call it made) ends the run; it is not the tool's error.
  if (haltOf(outcome.error) || hooks.toolErrors === 'throw') throw outcome.error;
  const failed = hooks.failed(outcome.error, id);
  if (call.callId !== undefined) registry.remember(run, call.callId, failed);
  return failed;
}

/** Asks through the framework until an answer is valid; the same answers replay on a re-run. */
async function ask<Result>(
  registry: RunRegistry<Result>,
  run: Run,
  call: FrameworkCall,
  decision: Decision,
  tool: GuardedTool,
  hooks: FrameworkHooks<Result>,
) {
  const approval = decision.approval!;
  const { asks } = registry.stateOf(run);
  const argsSchema = jsonSchemaOf(tool.shape.input);
  let error: string | undefined;
  for (let count = 0; ; count++) {
    if (count === MAX_ASKS)
      throw new ArgumentInvalidError(
        `No valid answer to approval "${approval.approval_id}" after ${MAX_ASKS} asks; the last was refused: ${error}`,
      );
    const asked = hooks.ask({ decision, approval, depth: run.depth, argsSchema, error });
    // Awaited only when it is a promise: a framework that pauses by position (LangGraph's interrupt())
    // must see this call's asks in order, with no tick between them for a sibling call to ask.
    const value =
      typeof (asked as PromiseLike<unknown> | undefined)?.then === 'function' ? await asked : asked;
    if (call.callId !== undefined) asks.set(call.callId, (asks.get(call.callId) ?? 0) + 1);
    const parsed = hooks.toAnswer(value, approval);
    if ('error' in parsed) {
      error = parsed.error;
      continue;
    }
    const shared = typeof call.shared === 'function' ? call.shared() : call.shared === true;
    if (shared && !parsed.bound) {
      // An answer found by its position could be another call's: it must say which it is for.
      error = `Several tool calls share this step, so an answer must carry the request's action_hash: ${approval.action_hash}.${hooks.sharedStepHint ? ` ${hooks.sharedStepHint}` : ''}`;
      continue;
    }
    try {
      // The answer that won (another process's, stored first, may differ from this one).
      return await run.resolveApproval(approval.approval_id, parsed.answer, tool.shape);
    } catch (caught) {
      // An answer bound to other arguments, or not an answer (a field of the wrong type): ask again.
      if (!ApprovalHashMismatchError.isInstance(caught) && !ApprovalAnswerInvalidError.isInstance(caught))
        throw caught;
      error = caught.message;
    }
  }
}
