import { AsyncLocalStorage } from 'node:async_hooks';
import type { Run } from '@orbit-agents/core';
import { type DecidedCall, dropOldest } from '@orbit-agents/core/adapter';
import { ANSWERS_KEY, fieldsOf } from './context.js';

const keyOf = (run: Run, callId: string) => `${run.id}\u0000${callId}`;

/**
 * The decisions `needsApproval` made, kept for the call's `execute` (the SDK asks first, then runs),
 * taken once. The call runs with the arguments read when it was decided, whatever the SDK passes
 * `execute` later (a state edited between pause and resume changes nothing). Bounded: a call never
 * run (rejected with the SDK's own `state.reject`) does not stay forever.
 */
export class DecidedCalls {
  private readonly kept = new Map<string, DecidedCall>();
  constructor(private readonly cap: number) {}

  keep(run: Run, callId: string, decided: DecidedCall): void {
    this.kept.set(keyOf(run, callId), decided);
    dropOldest(this.kept, this.cap);
  }

  /** The decision kept for this call, if any. */
  take(run: Run, callId: string): DecidedCall | undefined {
    const key = keyOf(run, callId);
    const decided = this.kept.get(key);
    this.kept.delete(key);
    return decided;
  }
}

/**
 * The answers given through `orbitAgents.answer()`, waiting for the call's `execute`: taken once. Each is
 * kept in memory and in the SDK's run context (`orbit_answers`), so that it travels with a saved state:
 * the process that resumes it applies the answer given, never the bare approval the SDK recorded with it.
 */
export class GivenAnswers {
  private readonly given = new Map<string, unknown>();
  constructor(private readonly cap: number) {}

  give(run: Run, callId: string, answer: unknown, context: unknown): void {
    this.given.set(keyOf(run, callId), answer);
    dropOldest(this.given, this.cap);
    const fields = fieldsOf(context);
    const saved = fields[ANSWERS_KEY] ?? {};
    saved[run.id] = { ...saved[run.id], [callId]: answer };
    fields[ANSWERS_KEY] = saved;
  }

  /** The answer given for this call and not taken yet, if any. */
  peek(run: Run, callId: string, context: unknown): unknown {
    return this.given.get(keyOf(run, callId)) ?? savedIn(context)?.[run.id]?.[callId];
  }

  take(run: Run, callId: string, context: unknown): unknown {
    const answer = this.peek(run, callId, context);
    this.given.delete(keyOf(run, callId));
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
  paused(_run: Run, _callId: string): void {
    for (const frame of this.stack.getStore() ?? []) frame.paused = true;
  }
}
