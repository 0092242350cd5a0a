import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf, orchestratorManifest } from '../../test/support.js';
import { MemoryStore } from '../stores/memory-store.js';
import { defineTool } from './define-tool.js';

// Findings of the adapter-kit review: each test fails on the code before its fix.

describe('decisions and approvals handed out are not the run’s to change', () => {
  it('a decision is frozen: writing to it throws, and the call is still paused when presented again', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const decision = run.guard({ tool: 'update', args: { id: 'a' }, confidence: 0.5, callId: 'c1' });
    expect(decision.decision).toBe('pause');
    expect(() => ((decision as { decision: string }).decision = 'proceed')).toThrow(TypeError);
    expect(run.guard({ tool: 'update', args: { id: 'a' }, confidence: 0.5, callId: 'c1' }).decision).toBe(
      'pause',
    );
  });

  it('perform runs only what the run decided: a forged proceed for a paused call is refused, an unknown call id too', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const paused = run.guard({ tool: 'update', args: { id: 'a' }, confidence: 0.5, callId: 'c1' });
    let ran = 0;
    const forged = { ...paused, decision: 'proceed' as const };
    const result = await run.perform(forged, () => ran++);
    expect(result.status).toBe('refused');
    expect(ran).toBe(0);
    await expect(
      run.perform({ ...paused, call_id: 'never-guarded', decision: 'proceed' }, () => ran++),
    ).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    });
    expect(ran).toBe(0);
  });

  it('an approval handler cannot change the arguments it approves: the request is a frozen copy', async () => {
    const seen: unknown[] = [];
    const tool = defineTool({
      name: 'update',
      input: z.object({ id: z.string() }),
      execute: (input) => {
        seen.push(input);
        return input.id;
      },
    });
    const { orbit } = await orbitOf(
      {},
      {
        approvalHandler: (request) => {
          expect(() => ((request.args as { id: string }).id = 'other')).toThrow(TypeError);
          return { type: 'approve' as const, action_hash: request.action_hash, approver: 'reviewer' };
        },
      },
    );
    const result = await orbit.startRun().execute(tool, { id: 'a', confidence: 0.5 });
    expect(result.status).toBe('executed');
    expect(seen).toEqual([{ id: 'a' }]);
  });

  it('the loaded manifest is frozen: a sub-agent profile cannot be widened after loading', async () => {
    const { orbit } = await orbitOf(orchestratorManifest());
    const profiles = orbit.manifest.manifest.delegation!.profiles;
    expect(() => (profiles[0]!.tools as unknown[]).push({ name: 'send_external_email' })).toThrow(TypeError);
    expect(Object.isFrozen(orbit.manifest)).toBe(true);
  });

  it("a proceed is frozen too: its tool cannot be renamed to run another tool under the call's id", async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const decision = run.guard({ tool: 'read', args: { id: 'a' }, confidence: 0.99, callId: 'c1' });
    expect(decision.decision).toBe('proceed');
    expect(() => ((decision as { tool: string }).tool = 'send')).toThrow(TypeError);
    const send = defineTool({ name: 'send', input: z.object({ id: z.string() }), execute: () => 'sent' });
    await expect(run.execute(send, { id: 'a', confidence: 0.1 }, { callId: 'c1' })).rejects.toMatchObject({
      code: 'ERR_CALL_ID_REUSED',
    });
  });

  it('the kill switch reaches a call decided before it: stop(), then perform, runs nothing', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const decision = run.guard({ tool: 'read', args: { id: 'a' }, confidence: 0.99, callId: 'c1' });
    run.stop();
    let ran = 0;
    await expect(run.perform(decision, () => ran++)).rejects.toMatchObject({ code: 'ERR_RUN_HALTED' });
    expect(ran).toBe(0);
  });

  it('the ledger view counts only tools: callsOf("toString") is 0', async () => {
    const { orbit } = await orbitOf();
    expect(orbit.startRun().ledger.callsOf('toString')).toBe(0);
  });
});

describe('escalation tools on a store are gated as in memory', () => {
  it('a records-budget pause of an escalation tool is not counted: the next call within the limit proceeds', async () => {
    const overrides = {
      allowed_tools: [{ name: 'flag', max_calls_per_run: 2, escalation: true }],
      interruption_policy: { confidence_floor: 0.72, max_records_touched_per_run: 1 },
    };
    const outcomes: string[][] = [];
    for (const store of [undefined, new MemoryStore()]) {
      const { orbit } = await orbitOf(overrides, store ? { store } : {});
      const run = orbit.startRun();
      await run.guardAsync({ tool: 'flag', args: { id: 'w' }, confidence: 0.9, records: 1 });
      const paused = await run.guardAsync({ tool: 'flag', args: { id: 'x' }, confidence: 0.9, records: 1 });
      const next = await run.guardAsync({ tool: 'flag', args: { id: 'y' }, confidence: 0.9, records: 0 });
      outcomes.push([paused.decision, ...paused.reasons, next.decision, ...next.reasons]);
    }
    expect(outcomes[0]).toEqual(['pause', 'records_budget_exceeded', 'proceed']);
    expect(outcomes[1]).toEqual(outcomes[0]);
  });
});
