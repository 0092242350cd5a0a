import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { tempDbPath } from '../../test/adapter-conformance-support.js';
import { orbitOf } from '../../test/support.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { decideCall, handleCall, readCall, recallCall } from './call-handler.js';
import { RunRegistry } from './run-registry.js';
import type { GuardedTool } from './tool-hints.js';

// The kit's split decision path, for a framework that asks for a decision before it runs the tool
// (the AI SDK's toolApproval), and its recall: an answer applies only to a call ORBIT decided.

const tool: GuardedTool = {
  name: 'update',
  shape: { input: z.object({ id: z.string() }) },
  description: undefined,
  undo: undefined,
  parsesItself: false,
};
const call = (id: string, confidence = 0.99, callId = `c-${id}`) => ({
  tool: 'update',
  args: { id, confidence },
  callId,
});

describe('decideCall and recallCall', () => {
  it('reads a call once: the confidence apart, the arguments parsed, a schema failure as inputError', async () => {
    const { orbit } = await orbitOf();
    expect(readCall(orbit, call('a', 0.5), tool)).toMatchObject({
      request: { tool: 'update', args: { id: 'a' }, confidence: 0.5, callId: 'c-a', inputError: undefined },
      input: { id: 'a' },
    });
    expect(
      readCall(orbit, { tool: 'update', args: { id: 7 }, callId: 'c-7' }, tool).request.inputError,
    ).toMatch(/id/);
  });

  it('recalls only a decided call, never deciding one: an unknown call is undefined and stays undecided', async () => {
    const { orbit, sink } = await orbitOf();
    const run = new RunRegistry(orbit).thread('t-recall', 'thread');
    expect(await recallCall(run, orbit, call('a'), tool)).toBeUndefined();
    expect(sink.events.filter((e) => e.event === 'decision')).toEqual([]);
    const { decision: decided } = await decideCall(run, orbit, call('a', 0.5), tool);
    expect(decided.decision).toBe('pause');
    expect(await recallCall(run, orbit, call('a', 0.5), tool)).toBe(decided);
    expect(sink.events.filter((e) => e.event === 'decision')).toHaveLength(1);
    // Other arguments under the same id are not the call that was decided.
    await expect(recallCall(run, orbit, call('b', 0.5, 'c-a'), tool)).rejects.toMatchObject({
      code: 'ERR_CALL_ID_REUSED',
    });
  });

  it('recalls a call another process decided, from the store, without deciding it again', async () => {
    const path = tempDbPath();
    const stores = [new SqliteStore({ path }), new SqliteStore({ path })];
    const a = await orbitOf({}, { store: stores[0]! });
    const { decision: paused } = await decideCall(
      new RunRegistry(a.orbit).thread('t-store', 'thread'),
      a.orbit,
      call('a', 0.5),
      tool,
    );
    expect(paused.decision).toBe('pause');
    const b = await orbitOf({}, { store: stores[1]! });
    const run = new RunRegistry(b.orbit).thread('t-store', 'thread');
    const recalled = await recallCall(run, b.orbit, call('a', 0.5), tool);
    expect(recalled).toMatchObject({
      decision: 'pause',
      approval: { approval_id: paused.approval!.approval_id },
    });
    expect(await recallCall(run, b.orbit, call('never'), tool)).toBeUndefined();
    expect(b.sink.events.filter((e) => e.event === 'decision')).toEqual([]);
    await Promise.all(stores.map((store) => store.close()));
  });
});

describe('handleCall with a call decided moments ago', () => {
  it('runs it on that decision: the call is neither read nor looked up again', async () => {
    const { orbit, sink } = await orbitOf();
    const registry = new RunRegistry<string>(orbit);
    const run = registry.thread('t-decided', 'thread');
    const decided = await decideCall(run, orbit, call('a'), tool);
    const guard = vi.spyOn(run, 'guard');
    const result = await handleCall(registry, run, { ...call('a'), decided }, tool, {
      ask: () => {
        throw new Error('not asked');
      },
      toAnswer: () => ({ error: 'none' }),
      invoke: async (args) => ({ result: `ran ${(args as { id: string }).id}`, output: args }),
      refused: () => 'refused',
      failed: () => 'failed',
      suspends: () => false,
    });
    expect(result).toBe('ran a');
    expect(guard).not.toHaveBeenCalled();
    expect(sink.events.filter((e) => e.event === 'decision')).toHaveLength(1);
    expect(sink.events.filter((e) => e.event === 'outcome')).toMatchObject([{ status: 'executed' }]);
  });
});
