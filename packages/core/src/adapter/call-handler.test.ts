import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf } from '../../test/support.js';
import type { Refusal } from '../run/decision.js';
import { type FrameworkHooks, handleCall } from './call-handler.js';
import { RunRegistry } from './run-registry.js';
import type { GuardedTool } from './tool-hints.js';

// The kit's call handler with the smallest framework there is: hooks over plain values.

const tool: GuardedTool = {
  name: 'update',
  shape: { input: z.object({ id: z.string() }) },
  description: undefined,
  undo: undefined,
  parsesItself: false,
};

class Suspended extends Error {}

function hooks(overrides: Partial<FrameworkHooks<string>> = {}): FrameworkHooks<string> {
  return {
    ask: (pause) => ({ type: 'approve', action_hash: pause.approval.action_hash, approver: 'tester' }),
    toAnswer: (value) => ({ answer: value as never, bound: true }),
    invoke: async (args) => ({ result: `ran ${(args as { id: string }).id}`, output: args }),
    refused: (refusal: Refusal) => `refused ${refusal.reasons.join(',')}`,
    failed: (error) => `failed ${(error as Error).message}`,
    suspends: (error) => error instanceof Suspended,
    ...overrides,
  };
}

async function setUp() {
  const { orbit, sink } = await orbitOf();
  const registry = new RunRegistry<string>(orbit);
  const run = registry.thread('t-1', 'thread');
  return { registry, run, sink };
}

const call = (id: string, confidence = 0.99) => ({
  tool: 'update',
  args: { id, confidence },
  callId: `c-${id}`,
});

describe('handleCall', () => {
  it('arguments with a throwing getter are refused (input_unsupported) with their decision written, never a raw error', async () => {
    const { registry, run, sink } = await setUp();
    let invoked = false;
    const args = {
      confidence: 0.99,
      get id(): string {
        throw new Error('no access');
      },
    };
    const result = await handleCall(registry, run, { tool: 'update', args, callId: 'c-x' }, tool, {
      ...hooks(),
      invoke: async () => {
        invoked = true;
        return { result: 'ran', output: null };
      },
    });
    expect(result).toBe('refused input_unsupported');
    expect(invoked).toBe(false);
    expect(sink.events.filter((event) => event.event === 'decision')).toMatchObject([
      {
        call_id: 'c-x',
        decision: 'block',
        reasons: ['input_unsupported'],
        detail: 'args.id: reading it threw (no access)',
      },
    ]);
  });

  it('a call presented again while it runs waits for it and answers with its result (it runs once)', async () => {
    const { registry, run } = await setUp();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = hooks({
      invoke: async (args) => {
        runs++;
        await gate;
        return { result: `ran ${(args as { id: string }).id}`, output: args };
      },
    });
    const first = handleCall(registry, run, call('a'), tool, h);
    const again = handleCall(registry, run, call('a'), tool, h);
    release();
    expect(await Promise.all([first, again])).toEqual(['ran a', 'ran a']);
    expect(runs).toBe(1);
    // Presented once more after it ran: the replay cache answers.
    expect(await handleCall(registry, run, call('a'), tool, h)).toBe('ran a');
    expect(runs).toBe(1);
  });

  it('a tool presenting its own call again does not wait on itself: it is refused, and the outer call ends', async () => {
    const { registry, run } = await setUp();
    let inner: string | undefined;
    const h: FrameworkHooks<string> = hooks({
      invoke: async (args) => {
        inner = await handleCall(registry, run, call('a'), tool, h);
        return { result: 'outer done', output: args };
      },
    });
    expect(await handleCall(registry, run, call('a'), tool, h)).toBe('outer done');
    expect(inner).toContain('already_executed');
  });

  it('a presentation with other arguments under a running call id is refused as a reused id, not given its result', async () => {
    const { registry, run } = await setUp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = hooks({
      invoke: async (args) => {
        await gate;
        return { result: `ran ${(args as { id: string }).id}`, output: args };
      },
    });
    const first = handleCall(registry, run, call('a'), tool, h);
    const other = handleCall(registry, run, { ...call('b'), callId: 'c-a' }, tool, h);
    release();
    expect(await first).toBe('ran a');
    await expect(other).rejects.toMatchObject({ code: 'ERR_CALL_ID_REUSED' });
  });

  it("a tool presenting its own call keeps the outer call's in-flight entry: an outside replay still gets the result", async () => {
    const { registry, run } = await setUp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h: FrameworkHooks<string> = hooks({
      invoke: async (args) => {
        await handleCall(registry, run, call('a'), tool, h); // refused: it runs already
        await gate;
        return { result: 'outer done', output: args };
      },
    });
    const outer = handleCall(registry, run, call('a'), tool, h);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const replay = handleCall(registry, run, call('a'), tool, h);
    release();
    expect(await Promise.all([outer, replay])).toEqual(['outer done', 'outer done']);
  });

  it('after a suspension, one waiter runs the call again and the others get its result', async () => {
    const { registry, run } = await setUp();
    let attempts = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = hooks({
      invoke: async (args) => {
        attempts++;
        if (attempts === 1) {
          await gate;
          throw new Suspended('interrupt from inside');
        }
        return { result: `ran ${(args as { id: string }).id}`, output: args };
      },
    });
    const first = handleCall(registry, run, call('a'), tool, h);
    const waiters = [
      handleCall(registry, run, call('a'), tool, h),
      handleCall(registry, run, call('a'), tool, h),
    ];
    release();
    await expect(first).rejects.toBeInstanceOf(Suspended);
    expect(await Promise.all(waiters)).toEqual(['ran a', 'ran a']);
    expect(attempts).toBe(2);
  });

  it('asks through a promise, and gives up (fails closed) after 100 refused answers', async () => {
    const { registry, run } = await setUp();
    let asked = 0;
    const patient = hooks({
      ask: async (pause) => ({ type: 'approve', action_hash: pause.approval.action_hash, approver: 'later' }),
    });
    expect(await handleCall(registry, run, call('p', 0.5), tool, patient)).toBe('ran p');
    const hopeless = hooks({
      ask: () => {
        asked++;
        return 'nonsense';
      },
      toAnswer: () => ({ error: 'not an answer' }),
    });
    await expect(handleCall(registry, run, call('q', 0.5), tool, hopeless)).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    });
    expect(asked).toBe(100);
  });
});
