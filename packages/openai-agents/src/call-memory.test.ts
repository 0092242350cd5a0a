import type { Run } from '@orbit-agents/core';
import type { DecidedCall } from '@orbit-agents/core/adapter';
import { describe, expect, it } from 'vitest';
import { DecidedCalls, GivenAnswers } from './call-memory.js';

// The memory only keys on the run object; a stand-in with an id is enough.
const runOf = (id: string) => ({ id }) as unknown as Run;
const decided = (tag: string) => ({ tag }) as unknown as DecidedCall;

describe('DecidedCalls', () => {
  it('gives a kept decision to its call once', () => {
    const calls = new DecidedCalls(10);
    const run = runOf('r1');
    calls.keep(run, 'call-1', decided('a'));
    expect(calls.take(run, 'call-1')).toEqual({ tag: 'a' });
    expect(calls.take(run, 'call-1')).toBeUndefined();
  });

  it('keeps the same call id of two runs apart', () => {
    const calls = new DecidedCalls(10);
    const [first, second] = [runOf('r1'), runOf('r2')];
    calls.keep(first, 'call-1', decided('first'));
    calls.keep(second, 'call-1', decided('second'));
    expect(calls.take(second, 'call-1')).toEqual({ tag: 'second' });
    expect(calls.take(first, 'call-1')).toEqual({ tag: 'first' });
  });

  it('keeps at most cap decisions per run, the oldest going first', () => {
    const calls = new DecidedCalls(2);
    const [run, other] = [runOf('r1'), runOf('r2')];
    calls.keep(run, 'call-1', decided('1'));
    calls.keep(run, 'call-2', decided('2'));
    calls.keep(other, 'call-9', decided('9'));
    calls.keep(run, 'call-3', decided('3'));
    expect(calls.take(run, 'call-1')).toBeUndefined();
    expect(calls.take(run, 'call-2')).toEqual({ tag: '2' });
    expect(calls.take(run, 'call-3')).toEqual({ tag: '3' });
    expect(calls.take(other, 'call-9')).toEqual({ tag: '9' });
  });
});

describe('GivenAnswers', () => {
  it('gives an answer to its call of its run once', () => {
    const answers = new GivenAnswers(10);
    const [run, other] = [runOf('r1'), runOf('r2')];
    const context: Record<string, unknown> = { orbit_thread: 'r1' };
    answers.give(run, 'call-1', { type: 'approve' }, context);
    expect(answers.take(other, 'call-1', context)).toBeUndefined();
    expect(answers.take(run, 'call-1', context)).toEqual({ type: 'approve' });
    expect(answers.take(run, 'call-1', context)).toBeUndefined();
    // Taken from the context too: a saved state holds no answer that was applied.
    expect(context).toEqual({ orbit_thread: 'r1' });
  });
});
