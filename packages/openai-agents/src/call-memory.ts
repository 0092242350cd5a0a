import { AsyncLocalStorage } from 'node:async_hooks';
import type { Run } from '@orbit-agents/core';
import { type DecidedCall, dropOldest } from '@orbit-agents/core/adapter';

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

/** The answers given through `orbitAgents.answer()`, waiting for the call's `execute`: taken once. */
export class GivenAnswers {
  private readonly given = new Map<string, unknown>();
  constructor(private readonly cap: number) {}

  give(run: Run, callId: string, answer: unknown): void {
    this.given.set(keyOf(run, callId), answer);
    dropOldest(this.given, this.cap);
  }

  take(run: Run, callId: string): unknown {
    const key = keyOf(run, callId);
    const answer = this.given.get(key);
    this.given.delete(key);
    return answer;
  }
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
