import { AsyncLocalStorage } from 'node:async_hooks';
import type { Decision, Run } from '@orbit-agents/core';
import { type DecidedCall, dropOldest } from '@orbit-agents/core/adapter';
import { ANSWERS_KEY, fieldsOf } from './context.js';

/**
 * Values kept per run and call id, each taken once; bounded per run (the oldest goes first), and gone with
 * the run. A map per run, keyed by the SDK's own call id string: no key is built per call.
 */
class PerCall<Value> {
  private readonly byRun = new WeakMap<Run, Map<string, Value>>();
  constructor(private readonly cap: number) {}

  put(run: Run, callId: string, value: Value): void {
    let calls = this.byRun.get(run);
    if (!calls) {
      calls = new Map();
      this.byRun.set(run, calls);
    }
    calls.set(callId, value);
    dropOldest(calls, this.cap);
  }

  peek(run: Run, callId: string): Value | undefined {
    return this.byRun.get(run)?.get(callId);
  }

  take(run: Run, callId: string): Value | undefined {
    const calls = this.byRun.get(run);
    const value = calls?.get(callId);
    if (value !== undefined) calls!.delete(callId);
    return value;
  }
}

/**
 * The decisions `needsApproval` made, kept for the call's `execute` (the SDK asks first, then runs),
 * taken once. The call runs with the arguments read when it was decided, whatever the SDK passes
 * `execute` later (a state edited between pause and resume changes nothing). Bounded: a call never
 * run (rejected with the SDK's own `state.reject`) does not stay forever.
 */
export class DecidedCalls {
  private readonly kept: PerCall<DecidedCall>;
  constructor(cap: number) {
    this.kept = new PerCall(cap);
  }

  keep(run: Run, callId: string, decided: DecidedCall): void {
    this.kept.put(run, callId, decided);
  }

  /** The decision kept for this call, if any. */
  take(run: Run, callId: string): DecidedCall | undefined {
    return this.kept.take(run, callId);
  }
}

/**
 * The answers given through `orbitAgents.answer()`, waiting for the call's `execute`: taken once. Each is
 * kept in memory and in the SDK's run context (`orbit_answers`), so that it travels with a saved state:
 * the process that resumes it applies the answer given, never the bare approval the SDK recorded with it.
 */
export class GivenAnswers {
  private readonly given: PerCall<unknown>;
  /** The pauses of the calls whose denial was recorded when it was given (the core then recalls the denial). */
  private readonly denied: PerCall<Decision>;
  constructor(cap: number) {
    this.given = new PerCall(cap);
    this.denied = new PerCall(cap);
  }

  /** A denial of this pause was recorded in the core when it was given. */
  denial(run: Run, callId: string, pause: Decision): void {
    this.denied.put(run, callId, pause);
  }

  /** The pause of a call whose denial was recorded when it was given, if this process did. */
  pauseOf(run: Run, callId: string): Decision | undefined {
    return this.denied.peek(run, callId);
  }

  give(run: Run, callId: string, answer: unknown, context: unknown): void {
    this.given.put(run, callId, answer);
    const fields = fieldsOf(context);
    const saved = fields[ANSWERS_KEY] ?? {};
    saved[run.id] = { ...saved[run.id], [callId]: answer };
    fields[ANSWERS_KEY] = saved;
  }

  /** The answer given for this call and not taken yet, if any. */
  peek(run: Run, callId: string, context: unknown): unknown {
    return this.given.peek(run, callId) ?? savedIn(context)?.[run.id]?.[callId];
  }

  take(run: Run, callId: string, context: unknown): unknown {
    const answer = this.peek(run, callId, context);
    this.given.take(run, callId);
    this.denied.take(run, callId);
    const saved = savedIn(context);
    const ofRun = saved?.[run.id];
    if (saved && ofRun && callId in ofRun) {
      const { [callId]: _taken, ...rest } = ofRun;
      if (Object.keys(rest).length > 0) saved[run.id] = rest;
      else delete saved[run.id];
      if (Object.keys(saved).length === 0) delete fieldsOf(context)[ANSWERS_KEY];
    }
    return answer;
  }
}

function savedIn(context: unknown): Record<string, Record<string, unknown>> | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const saved = (context as Record<string, unknown>)[ANSWERS_KEY];
  return saved !== null && typeof saved === 'object'
    ? (saved as Record<string, Record<string, unknown>>)
    : undefined;
}

/** One agent-as-tool invocation in progress: did a call inside it pause (the nested run then returns `''`)? */
interface Frame {
  paused: boolean;
}

/**
 * The agent-as-tool invocations the current asynchronous context is inside. The SDK ends a nested run
 * that paused by returning `''` from the tool, with no sign of the pause; a call that pauses inside it
 * marks every invocation around it, so that its delegation stays open for the resume.
 */
export class Frames {
  private readonly stack = new AsyncLocalStorage<readonly Frame[]>();

  /** Runs `invoke` as one more agent-as-tool invocation; tells whether a call inside it paused. */
  async within<T>(invoke: () => Promise<T>): Promise<{ value: T; paused: boolean }> {
    const frame: Frame = { paused: false };
    const value = await this.stack.run([...(this.stack.getStore() ?? []), frame], invoke);
    return { value, paused: frame.paused };
  }

  /** A call paused: every invocation around it stays open. */
  paused(): void {
    for (const frame of this.stack.getStore() ?? []) frame.paused = true;
  }
}
