import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approveAll, countingTool, denyAll, orbitOf } from '../../test/support.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { defineTool } from './define-tool.js';
import { RunHaltedError } from './run-halted-error.js';

const eventsOf = (events: AuditEvent[], kind: AuditEvent['event'], callId?: string) =>
  events.filter((event) => event.event === kind && (callId === undefined || event.call_id === callId));

describe('run.execute', () => {
  it('runs a proceeding tool and records exactly one decision and one outcome', async () => {
    const { orbit, sink } = await orbitOf();
    const log: string[] = [];
    const run = orbit.startRun();
    const result = await run.execute(countingTool('update', log), { id: 'a', confidence: 0.95 });
    expect(result.status).toBe('executed');
    expect(log).toEqual(['update:a']);
    const callId = result.decision.call_id;
    expect(eventsOf(sink.events, 'decision', callId)).toHaveLength(1);
    const [outcome] = eventsOf(sink.events, 'outcome', callId);
    expect(outcome).toMatchObject({
      status: 'executed',
      tool: 'update',
      reversibility: 'partial',
      confidence: 0.95,
      records: 1,
      output: { id: 'a' },
    });
    expect(outcome!.elapsed_ms).toBeGreaterThanOrEqual(0);
  });

  it('strips the confidence before the tool runs', async () => {
    const { orbit } = await orbitOf();
    let seen: unknown;
    const tool = defineTool({
      name: 'update',
      input: z.strictObject({ id: z.string() }),
      execute: (input) => (seen = input),
    });
    await orbit.startRun().execute(tool, { id: 'x', confidence: 0.99 });
    expect(seen).toEqual({ id: 'x' });
  });

  it('gives a tool that throws exactly one decision and one error outcome, and does not crash the run', async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    const boom = defineTool({
      name: 'update',
      input: z.object({}),
      execute: () => {
        throw new Error('billing API down');
      },
    });
    const result = await run.execute(boom, { confidence: 0.95 });
    expect(result.status).toBe('error');
    expect(eventsOf(sink.events, 'decision')).toHaveLength(1);
    const outcomes = eventsOf(sink.events, 'outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status: 'error', error: { message: 'billing API down' } });
    expect((await run.execute(countingTool('read'), { id: 'next' })).status).toBe('executed');
  });

  it('blocks bad tool input with a refusal naming the field, without running the tool', async () => {
    const { orbit, sink } = await orbitOf();
    const log: string[] = [];
    const result = await orbit.startRun().execute(countingTool('update', log), { id: 42, confidence: 0.95 });
    expect(result.status).toBe('refused');
    if (result.status !== 'refused') return;
    expect(result.refusal.reasons).toEqual(['input_invalid']);
    expect(result.refusal.message).toContain('input.id');
    expect(log).toEqual([]);
    expect(eventsOf(sink.events, 'outcome')[0]).toMatchObject({ status: 'not_executed' });
  });

  it('throws RunHaltedError on a blocked tool and runs nothing afterwards', async () => {
    const { orbit, sink } = await orbitOf();
    const log: string[] = [];
    const run = orbit.startRun();
    await expect(
      run.execute(countingTool('merge', log), { id: 'a', confidence: 0.99 }),
    ).rejects.toMatchObject({
      code: 'ERR_RUN_HALTED',
      decision: { decision: 'halt', reasons: ['tool_explicitly_blocked'] },
    });
    await expect(run.execute(countingTool('read', log), { id: 'b' })).rejects.toBeInstanceOf(RunHaltedError);
    expect(log).toEqual([]);
    expect(eventsOf(sink.events, 'decision').map((event) => event.decision)).toEqual(['halt', 'halt']);
  });

  it('answers a pause through the approval handler: approved runs, denied does not', async () => {
    const approved = await orbitOf({}, { approvalHandler: approveAll });
    const log: string[] = [];
    const ok = await approved.orbit
      .startRun()
      .execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
    expect(ok).toMatchObject({ status: 'executed', decision: { decision: 'proceed_with_log' } });
    expect(ok.approval?.reasons).toEqual(['below_tool_threshold']);
    const denied = await orbitOf({}, { approvalHandler: denyAll });
    const no = await denied.orbit
      .startRun()
      .execute(countingTool('update', log), { id: 'b', confidence: 0.8 });
    expect(no).toMatchObject({
      status: 'refused',
      decision: { decision: 'block', reasons: ['below_tool_threshold', 'approval_denied'] },
    });
    expect(log).toEqual(['update:a']);
    expect(eventsOf(denied.sink.events, 'approval').map((event) => event.approval)).toEqual([
      'requested',
      'deny',
    ]);
  });

  it('records a timeout as a timeout, never as a denial, and defaults to deny', async () => {
    const { orbit, sink } = await orbitOf(
      {},
      { approvalHandler: () => new Promise(() => {}), approvalTimeoutMs: 20 },
    );
    const log: string[] = [];
    const result = await orbit.startRun().execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
    expect(result).toMatchObject({ status: 'refused', decision: { decision: 'block' } });
    expect(result.decision.reasons).toContain('approval_timeout');
    expect(result.decision.reasons).not.toContain('approval_denied');
    const answers = eventsOf(sink.events, 'approval').map((event) => event.approval);
    expect(answers).toEqual(['requested', 'expiring', 'timeout']);
    expect(log).toEqual([]);
  });

  it('warns before an approval expires (event, alert), then records the timeout', async () => {
    const alerts: string[] = [];
    const { orbit, sink } = await orbitOf(
      {},
      {
        approvalHandler: () => new Promise(() => {}),
        approvalTimeoutMs: 100,
        alerts: { notifiers: [(a) => void alerts.push(a.alert)] },
      },
    );
    await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    expect(eventsOf(sink.events, 'approval').map((event) => event.approval)).toEqual([
      'requested',
      'expiring',
      'timeout',
    ]);
    expect(alerts).toEqual(['approval_expiring']);
  });

  it('does not warn when the answer comes in time', async () => {
    const alerts: string[] = [];
    const { orbit, sink } = await orbitOf(
      {},
      {
        approvalHandler: approveAll,
        approvalTimeoutMs: 100,
        alerts: { notifiers: [(a) => void alerts.push(a.alert)] },
      },
    );
    await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(eventsOf(sink.events, 'approval').map((event) => event.approval)).toEqual([
      'requested',
      'approve',
    ]);
    expect(alerts).toEqual([]);
  });

  it('can halt the run on an approval timeout', async () => {
    const { orbit } = await orbitOf(
      {},
      { approvalHandler: () => new Promise(() => {}), approvalTimeoutMs: 10, onApprovalTimeout: 'halt' },
    );
    await expect(
      orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 }),
    ).rejects.toBeInstanceOf(RunHaltedError);
  });

  it('fails closed without an approval handler (no_approval_handler, not a timeout)', async () => {
    const { orbit } = await orbitOf();
    const result = await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    expect(result.status).toBe('refused');
    expect(result.decision.reasons).toContain('no_approval_handler');
  });

  it('re-validates and re-gates edited arguments', async () => {
    const log: string[] = [];
    const edit = await orbitOf(
      {},
      {
        approvalHandler: (request) => ({
          type: 'edit',
          action_hash: request.action_hash,
          approver: 'ann',
          args: { id: 'edited' },
        }),
      },
    );
    const result = await edit.orbit
      .startRun()
      .execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
    expect(result.status).toBe('executed');
    expect(log).toEqual(['update:edited']);
    const bad = await orbitOf(
      {},
      {
        approvalHandler: (request) => ({
          type: 'edit',
          action_hash: request.action_hash,
          approver: 'ann',
          args: { id: 7 },
        }),
      },
    );
    const refused = await bad.orbit
      .startRun()
      .execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
    expect(refused.status).toBe('refused');
    expect(refused.decision.reasons).toContain('input_invalid');
    expect(refused.decision.detail).toContain('id');
    expect(log).toEqual(['update:edited']);
  });

  it('re-gates an edit that moves the call outside the manifest: it halts', async () => {
    const { orbit } = await orbitOf(
      {
        allowed_tools: [
          {
            name: 'update',
            max_calls_per_run: 5,
            reversibility: 'partial',
            confidence_threshold: 0.9,
            resources: ['item:a*'],
          },
        ],
      },
      {
        approvalHandler: (request) => ({
          type: 'edit',
          action_hash: request.action_hash,
          approver: 'ann',
          args: { id: 'zzz' },
        }),
      },
    );
    await expect(
      orbit.startRun().execute(countingTool('update'), { id: 'a1', confidence: 0.8 }),
    ).rejects.toMatchObject({
      decision: { reasons: expect.arrayContaining(['resource_not_in_manifest']) },
    });
  });

  it('stops the run when a human answers a soft-budget pause with stop, and extends it on approve', async () => {
    const stop = await orbitOf(
      {},
      {
        approvalHandler: (request) => ({
          type: 'deny',
          action_hash: request.action_hash,
          approver: 'ann',
          stop_run: true,
        }),
      },
    );
    const run = stop.orbit.startRun();
    run.recordUsage({ tokens: 90_000 });
    await expect(run.execute(countingTool('update'), { id: 'a', confidence: 0.99 })).rejects.toBeInstanceOf(
      RunHaltedError,
    );

    const extend = await orbitOf(
      {},
      {
        approvalHandler: (request) => ({
          type: 'approve',
          action_hash: request.action_hash,
          approver: 'ann',
          extend_budget: { tokens: 20_000 },
        }),
      },
    );
    const more = extend.orbit.startRun();
    more.recordUsage({ tokens: 90_000 });
    expect((await more.execute(countingTool('update'), { id: 'a', confidence: 0.99 })).status).toBe(
      'executed',
    );
    expect(more.guard({ tool: 'update', confidence: 0.99 }).decision).toBe('proceed');
  });
});

describe('approvals are bound to the action hash', () => {
  it('refuses an answer for other arguments and keeps the request pending', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const paused = run.guard({ tool: 'update', confidence: 0.8, args: { id: 'INV-1' } });
    const other = run.guard({ tool: 'update', confidence: 0.8, args: { id: 'INV-2' } });
    expect(paused.approval!.action_hash).not.toBe(other.approval!.action_hash);
    expect(() =>
      run.answer(paused.approval!.approval_id, {
        type: 'approve',
        action_hash: other.approval!.action_hash,
        approver: 'ann',
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_APPROVAL_HASH_MISMATCH' }));
    expect(run.pendingApprovals().map((request) => request.approval_id)).toContain(
      paused.approval!.approval_id,
    );
    const answered = run.answer(paused.approval!.approval_id, {
      type: 'approve',
      action_hash: paused.approval!.action_hash,
      approver: 'ann',
    });
    expect(answered.decision.decision).toBe('proceed_with_log');
  });

  it('lets the first answer win', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const { approval } = run.guard({ tool: 'update', confidence: 0.8, args: { id: 1 } });
    run.answer(approval!.approval_id, { type: 'deny', action_hash: approval!.action_hash, approver: 'ann' });
    expect(() =>
      run.answer(approval!.approval_id, {
        type: 'approve',
        action_hash: approval!.action_hash,
        approver: 'bob',
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_APPROVAL_ALREADY_ANSWERED' }));
    expect(() => run.expireApproval(approval!.approval_id)).toThrow(
      expect.objectContaining({ code: 'ERR_APPROVAL_ALREADY_ANSWERED' }),
    );
  });

  it('refuses a malformed answer with the field it is about, and an unknown approval id', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const { approval } = run.guard({ tool: 'update', confidence: 0.8 });
    expect(() =>
      run.answer(approval!.approval_id, { type: 'approve', action_hash: approval!.action_hash }),
    ).toThrow(/approver/);
    expect(() =>
      run.answer(approval!.approval_id, { type: 'maybe', action_hash: approval!.action_hash, approver: 'a' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_APPROVAL_ANSWER_INVALID' }));
    expect(() => run.answer('nope', {})).toThrow(expect.objectContaining({ code: 'ERR_APPROVAL_UNKNOWN' }));
  });

  it('binds the hash to the run and the call, so an answer cannot be replayed on another call', async () => {
    const { orbit } = await orbitOf();
    const a = orbit.startRun().guard({ tool: 'update', confidence: 0.8, args: { id: 1 }, callId: 'c1' });
    const b = orbit.startRun().guard({ tool: 'update', confidence: 0.8, args: { id: 1 }, callId: 'c1' });
    const c = orbit.startRun().guard({ tool: 'update', confidence: 0.8, args: { id: 1 }, callId: 'c2' });
    expect(new Set([a.approval!.action_hash, b.approval!.action_hash, c.approval!.action_hash]).size).toBe(3);
  });
});

describe('guard is idempotent per call id (resume-safe)', () => {
  it('returns the recorded decision for a call id it has seen, recording nothing new and counting once', async () => {
    const { orbit, sink } = await orbitOf({
      allowed_tools: [{ name: 'update', max_calls_per_run: 1, reversibility: 'partial' }],
    });
    const run = orbit.startRun();
    const first = run.guard({ tool: 'update', confidence: 0.99, callId: 'tc-1' });
    const again = run.guard({ tool: 'update', confidence: 0.99, callId: 'tc-1' });
    expect(again).toEqual(first);
    expect(eventsOf(sink.events, 'decision')).toHaveLength(1);
    expect(run.ledger.callsOf('update')).toBe(1);
  });

  it('returns the answered decision after an approval', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const paused = run.guard({ tool: 'update', confidence: 0.8, callId: 'tc-1' });
    run.answer(paused.approval!.approval_id, {
      type: 'approve',
      action_hash: paused.approval!.action_hash,
      approver: 'ann',
    });
    expect(run.guard({ tool: 'update', confidence: 0.8, callId: 'tc-1' }).decision).toBe('proceed_with_log');
  });

  it('records one outcome per call even if told twice', async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    const decision = run.guard({ tool: 'update', confidence: 0.99 });
    run.recordOutcome(decision.call_id, { status: 'executed', output: 1 });
    run.recordOutcome(decision.call_id, { status: 'executed', output: 1 });
    expect(eventsOf(sink.events, 'outcome')).toHaveLength(1);
  });
});

describe('call ids', () => {
  it('runs a call id at most once: executing it again is refused and the tool does not run', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const log: string[] = [];
    await run.execute(countingTool('update', log), { id: 'a', confidence: 0.95 }, { callId: 'tc-1' });
    await expect(
      run.execute(countingTool('update', log), { id: 'a', confidence: 0.95 }, { callId: 'tc-1' }),
    ).rejects.toMatchObject({
      code: 'ERR_CALL_DUPLICATE',
    });
    expect(log).toEqual(['update:a']);
  });

  it("refuses a call id reused for another tool or other arguments, so no call rides on another's decision", async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [
        { name: 'update', max_calls_per_run: 1, reversibility: 'partial', resources: ['invoice:*'] },
      ],
    });
    const run = orbit.startRun();
    expect(
      run.guard({ tool: 'update', confidence: 0.99, args: { id: 1 }, resource: 'invoice:1', callId: 'tc-1' })
        .decision,
    ).toBe('proceed');
    expect(() =>
      run.guard({ tool: 'update', confidence: 0.1, args: { id: 2 }, resource: 'payroll:1', callId: 'tc-1' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CALL_ID_REUSED' }));
    expect(() => run.guard({ tool: 'read', args: { id: 1 }, callId: 'tc-1' })).toThrow(
      expect.objectContaining({ code: 'ERR_CALL_ID_REUSED' }),
    );
  });

  it('never generates an id a caller already used', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    run.guard({ tool: 'read', callId: 'call-1' });
    const generated = run.guard({ tool: 'update', confidence: 0.1 });
    expect(generated.call_id).not.toBe('call-1');
    expect(generated.decision).toBe('pause');
  });
});

describe('the ledger under concurrency', () => {
  it.each([
    [10, 3],
    [3, 10],
    [200, 50],
  ])('runs %i concurrent calls against a limit of %i exactly min(N, L) times', async (n, limit) => {
    const { orbit } = await orbitOf({
      allowed_tools: [{ name: 'update', max_calls_per_run: limit, reversibility: 'reversible' }],
    });
    const run = orbit.startRun();
    let executed = 0;
    const tool = defineTool({
      name: 'update',
      input: z.object({ i: z.number() }),
      execute: async () => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        executed++;
      },
    });
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => run.execute(tool, { i, confidence: 0.99 })),
    );
    expect(executed).toBe(Math.min(n, limit));
    expect(results.filter((result) => result.status === 'refused')).toHaveLength(Math.max(0, n - limit));
  });
});

describe('rollback', () => {
  it('undoes reversible actions newest first, lists partial ones for manual recovery and irreversible ones as unrecoverable', async () => {
    const { orbit, sink } = await orbitOf({ maturity_level: 4 });
    const log: string[] = [];
    const run = orbit.startRun();
    await run.execute(countingTool('draft', log), { id: '1', confidence: 0.99 });
    await run.execute(countingTool('update', log), { id: '2', confidence: 0.99 });
    await run.execute(countingTool('draft', log), { id: '3', confidence: 0.99 });
    await run.execute(countingTool('send', log), { id: '4', confidence: 0.99 });
    await run.execute(countingTool('read', log), { id: '5' });
    const report = await run.rollback();
    expect(log.slice(5)).toEqual(['undo:draft:3', 'undo:draft:1']);
    expect(report.undone.map((entry) => entry.resource)).toEqual(['item:3', 'item:1']);
    expect(report.manual_recovery.map((entry) => entry.resource)).toEqual(['item:2']);
    expect(report.unrecoverable.map((entry) => entry.resource)).toEqual(['item:4']);
    expect(eventsOf(sink.events, 'rollback').map((event) => `${event.tool}:${event.rollback}`)).toEqual([
      'send:unrecoverable',
      'draft:undone',
      'update:manual_recovery',
      'draft:undone',
    ]);
    expect((await run.rollback()).undone).toEqual([]);
  });

  it('reports an undo that throws and goes on with the rest', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const fragile = defineTool({
      name: 'draft',
      input: z.object({ id: z.string() }),
      execute: () => 1,
      undo: () => {
        throw new Error('gone');
      },
    });
    const log: string[] = [];
    await run.execute(countingTool('draft', log), { id: 'ok', confidence: 0.99 });
    await run.execute(fragile, { id: 'x', confidence: 0.99 });
    const report = await run.rollback();
    expect(report.undo_failed).toMatchObject([{ tool: 'draft', error: 'gone' }]);
    expect(report.undone).toHaveLength(1);
    expect(log).toContain('undo:draft:ok');
  });

  it('keeps memory bounded in long runs: actions without an undo beyond the limit are counted, undoable ones kept', async () => {
    const { orbit } = await orbitOf({ maturity_level: 4 }, { maxTrackedCalls: 3 });
    const run = orbit.startRun();
    const log: string[] = [];
    const noUndo = { ...countingTool('update', log), undo: undefined };
    for (let i = 0; i < 5; i++) await run.execute(noUndo, { id: `u${i}`, confidence: 0.99 });
    for (let i = 0; i < 4; i++)
      await run.execute(countingTool('draft', log), { id: `d${i}`, confidence: 0.99 });
    const report = await run.rollback();
    expect(report.undone).toHaveLength(4);
    expect(report.manual_recovery.map((entry) => entry.resource)).toEqual(['item:u2', 'item:u1', 'item:u0']);
    expect(report.omitted).toEqual({ update: 2 });
  });

  it('does not list calls that never ran', async () => {
    const { orbit } = await orbitOf({}, { approvalHandler: denyAll });
    const run = orbit.startRun();
    await run.execute(countingTool('draft'), { id: 'denied', confidence: 0.5 });
    expect(await run.rollback()).toEqual({
      undone: [],
      undo_failed: [],
      manual_recovery: [],
      unrecoverable: [],
    });
  });
});

describe('audit events', () => {
  it('carry the stable fields and pass inputs and outputs through the redaction hook', async () => {
    const { orbit, sink } = await orbitOf(
      {},
      { redact: (value, { field }) => (field === 'input' ? '[redacted]' : value) },
    );
    const run = orbit.startRun({ parentRunId: 'parent-1' });
    await run.execute(countingTool('update'), { id: 'secret', confidence: 0.95 });
    await run.end();
    const decision = eventsOf(sink.events, 'decision')[0]!;
    for (const field of [
      'ts',
      'event',
      'run_id',
      'parent_run_id',
      'agent_id',
      'call_id',
      'tool',
      'reversibility',
      'confidence',
      'decision',
      'reasons',
      'manifest_digest',
    ]) {
      expect(decision).toHaveProperty(field);
    }
    expect(decision.parent_run_id).toBe('parent-1');
    expect(decision.input).toBe('[redacted]');
    expect(eventsOf(sink.events, 'outcome')[0]!.output).toEqual({ id: 'secret' });
    expect(JSON.stringify(sink.events)).not.toContain('"id":"secret"}},');
    expect(eventsOf(sink.events, 'run').map((event) => event.run)).toEqual(['started', 'ended']);
    expect(new Date(decision.ts).toISOString()).toBe(decision.ts);
  });

  it('flushes the sink at once after a pause or a halt', async () => {
    let flushes = 0;
    const events: AuditEvent[] = [];
    const { orbit } = await orbitOf(
      {},
      { sink: { write: (event) => events.push(event), flush: () => void flushes++ } },
    );
    const run = orbit.startRun();
    run.guard({ tool: 'update', confidence: 0.99 });
    expect(flushes).toBe(0);
    run.guard({ tool: 'update', confidence: 0.5 });
    expect(flushes).toBe(1);
    run.guard({ tool: 'merge' });
    expect(flushes).toBe(2);
  });

  it('builds no events at all when there is no sink', async () => {
    const { orbit } = await orbitOf({}, { sink: undefined });
    let redactions = 0;
    const quiet = await orbitOf(
      {},
      {
        sink: undefined,
        redact: (value) => {
          redactions++;
          return value;
        },
      },
    );
    await quiet.orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.95 });
    expect(redactions).toBe(0);
    expect(orbit.policy.agentId).toBe('test-agent');
  });
});
