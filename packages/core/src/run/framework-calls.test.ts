import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orbitOf } from '../../test/support.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { RunHaltedError } from './run-halted-error.js';

// The adapter protocol: a framework runs the tool itself and re-runs nodes on resume.
const approve = (hash: string) => ({ type: 'approve' as const, action_hash: hash, approver: 'ana' });

describe('calls a framework runs (guardAsync, resolveApproval, perform)', () => {
  it('perform runs a proceeding call once and records its outcome; a second perform is refused', async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    const decision = await run.guardAsync({
      tool: 'read',
      args: { id: 'a' },
      confidence: 0.99,
      callId: 'c1',
    });
    const result = await run.perform(decision, () => 'output');
    expect(result).toMatchObject({ status: 'executed', output: 'output' });
    await expect(run.perform(decision, () => 'again')).rejects.toThrow(/at most once/);
    expect(sink.events.filter((e) => e.event === 'outcome')).toHaveLength(1);
  });

  it('perform refuses blocks and throws on halts, running nothing', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    let ran = 0;
    const merge = await run.guardAsync({ tool: 'merge', args: {}, confidence: 0.99, callId: 'm' });
    await expect(run.perform(merge, () => ran++)).rejects.toBeInstanceOf(RunHaltedError);
    expect(ran).toBe(0);
  });

  it('a refusal or a halt presented again is reported again (a framework replaying the call)', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const blocked = await run.guardAsync({
      tool: 'update',
      args: {},
      confidence: 0.99,
      callId: 'b',
      inputError: 'bad',
    });
    expect((await run.perform(blocked, () => 'never')).status).toBe('refused');
    const again = await run.guardAsync({
      tool: 'update',
      args: {},
      confidence: 0.99,
      callId: 'b',
      inputError: 'bad',
    });
    expect((await run.perform(again, () => 'never')).status).toBe('refused');
    const halt = await run.guardAsync({ tool: 'merge', args: {}, confidence: 0.99, callId: 'h' });
    await expect(run.perform(halt, () => 'never')).rejects.toBeInstanceOf(RunHaltedError);
    await expect(run.perform(halt, () => 'never')).rejects.toBeInstanceOf(RunHaltedError);
  });

  it('an answer after the approval timeout is a timeout, not an approval', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const { orbit, sink } = await orbitOf({}, { now: () => now, approvalTimeoutMs: 60_000 });
    const run = orbit.startRun();
    const paused = await run.guardAsync({ tool: 'send', args: { id: 'x' }, confidence: 0.5, callId: 'c1' });
    now += 2 * 24 * 3_600_000;
    const answered = await run.resolveApproval(
      paused.approval!.approval_id,
      approve(paused.approval!.action_hash),
    );
    expect(answered.decision).toMatchObject({
      decision: 'block',
      reasons: expect.arrayContaining(['approval_timeout']),
    });
    expect(sink.events.filter((e) => e.event === 'approval').map((e) => e.approval)).toEqual([
      'requested',
      'timeout',
    ]);
  });

  it('a suspending error leaves the call open: no outcome, and it may be performed again', async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    const decision = await run.guardAsync({ tool: 'read', args: {}, confidence: 0.99, callId: 'c1' });
    class Interrupt extends Error {}
    await expect(
      run.perform(decision, () => Promise.reject(new Interrupt('paused inside')), {
        suspends: (error) => error instanceof Interrupt,
      }),
    ).rejects.toBeInstanceOf(Interrupt);
    expect(sink.events.filter((e) => e.event === 'outcome')).toHaveLength(0);
    // The replay sees the same decision and performs it.
    const again = await run.guardAsync({ tool: 'read', args: {}, confidence: 0.99, callId: 'c1' });
    expect(again.decision).toBe('proceed');
    expect((await run.perform(again, () => 'done')).status).toBe('executed');
  });

  it('resolveApproval applies an answer once; a replay gets the same decision back', async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    const paused = await run.guardAsync({ tool: 'send', args: { id: 'x' }, confidence: 0.5, callId: 'c1' });
    const approval = paused.approval!;
    const first = await run.resolveApproval(approval.approval_id, approve(approval.action_hash));
    const replay = await run.resolveApproval(approval.approval_id, approve(approval.action_hash));
    expect(replay).toEqual(first);
    expect(sink.events.filter((e) => e.event === 'approval' && e.approval === 'approve')).toHaveLength(1);
    await expect(run.resolveApproval(approval.approval_id, approve('sha256:other'))).resolves.toEqual(first);
  });

  it('a run taken up from the store adopts an approval raised in another process, and the call runs once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-framework-')), 'runs.db');
    const a = await orbitOf({}, { store: new SqliteStore({ path }) });
    const runA = a.orbit.startRun({ runId: 'thread-1' });
    const paused = await runA.guardAsync({ tool: 'send', args: { id: 'x' }, confidence: 0.5, callId: 'c1' });
    expect(paused.decision).toBe('pause');

    // Another process: the same run id, from the store; the framework replays the call.
    const b = await orbitOf({}, { store: new SqliteStore({ path }) });
    const runB = b.orbit.resumeRun('thread-1');
    const replayed = await runB.guardAsync({
      tool: 'send',
      args: { id: 'x' },
      confidence: 0.5,
      callId: 'c1',
    });
    expect(replayed.approval?.approval_id).toBe(paused.approval!.approval_id);
    expect(b.sink.events.filter((e) => e.event === 'decision')).toHaveLength(0);
    const answered = await runB.resolveApproval(
      replayed.approval!.approval_id,
      approve(paused.approval!.action_hash),
    );
    expect(answered.decision.decision).toBe('proceed_with_log');
    expect((await runB.perform(answered.decision, () => 'sent')).status).toBe('executed');

    // A third process replays the same call again: the claim is gone, nothing runs.
    const c = await orbitOf({}, { store: new SqliteStore({ path }) });
    const runC = c.orbit.resumeRun('thread-1');
    const third = await runC.guardAsync({ tool: 'send', args: { id: 'x' }, confidence: 0.5, callId: 'c1' });
    expect(third).toMatchObject({ decision: 'block', reasons: expect.arrayContaining(['already_executed']) });
    const resolved = await runC.resolveApproval(
      paused.approval!.approval_id,
      approve(paused.approval!.action_hash),
    );
    expect(resolved.decision).toMatchObject({
      decision: 'block',
      reasons: expect.arrayContaining(['already_executed']),
    });
    expect(c.sink.events.filter((e) => e.event === 'decision')).toHaveLength(0);
  });

  it('a write that ran without a pause in another process is not run again by a replay', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-framework-')), 'runs.db');
    const a = await orbitOf({}, { store: new SqliteStore({ path }) });
    const runA = a.orbit.startRun({ runId: 'thread-2' });
    const call = { tool: 'draft', args: { id: 'd' }, confidence: 0.99, callId: 'w1' };
    const decided = await runA.guardAsync(call);
    expect((await runA.perform(decided, () => 'drafted')).status).toBe('executed');

    const b = await orbitOf({}, { store: new SqliteStore({ path }) });
    const replay = await b.orbit.resumeRun('thread-2').guardAsync(call);
    expect(replay).toMatchObject({ decision: 'block', reasons: ['already_executed'] });
    expect(b.sink.events.filter((e) => e.event === 'decision')).toHaveLength(0);
  });

  it('an answer stored in time and taken up after the deadline runs once, claimed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-framework-')), 'runs.db');
    let now = Date.parse('2026-11-25T10:00:00Z');
    const clock = { now: () => now, approvalTimeoutMs: 60_000 };
    const a = await orbitOf({}, { store: new SqliteStore({ path }), ...clock });
    const runA = a.orbit.startRun({ runId: 'thread-late' });
    const call = { tool: 'send', args: { id: 'x' }, confidence: 0.5, callId: 'c1' };
    const paused = await runA.guardAsync(call);
    // An approvals service (another process) answers through the store, in time.
    now += 30_000;
    const service = await orbitOf({}, { store: new SqliteStore({ path }), ...clock });
    await service.orbit
      .resumeRun('thread-late')
      .answerAsync(paused.approval!.approval_id, approve(paused.approval!.action_hash));
    // The worker that paused resumes after the deadline; then a duplicate resume in another worker.
    now += 90_000;
    const ran: string[] = [];
    const first = await runA.resolveApproval(
      paused.approval!.approval_id,
      approve(paused.approval!.action_hash),
    );
    await runA.perform(first.decision, () => ran.push('a'));
    const c = await orbitOf({}, { store: new SqliteStore({ path }), ...clock });
    const runC = c.orbit.resumeRun('thread-late');
    const replayed = await runC.guardAsync(call);
    const again = replayed.approval
      ? (await runC.resolveApproval(replayed.approval.approval_id, approve(paused.approval!.action_hash)))
          .decision
      : replayed;
    await runC.perform(again, () => ran.push('c'));
    // The answer came in time: it stands, and the call runs once in all.
    expect(ran).toEqual(['a']);
  });

  it('a write another process ran after this run was taken up is refused on replay', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-framework-')), 'runs.db');
    const a = await orbitOf({}, { store: new SqliteStore({ path }) });
    const runA = a.orbit.resumeRun('thread-3', { startIfMissing: true });
    // A takes the run up and decides a call of its own first.
    await runA.guardAsync({ tool: 'read', args: {}, confidence: 0.99, callId: 'r1' });
    // Meanwhile B runs a write.
    const b = await orbitOf({}, { store: new SqliteStore({ path }) });
    const runB = b.orbit.resumeRun('thread-3');
    const write = { tool: 'draft', args: { id: 'd' }, confidence: 0.99, callId: 'w1' };
    expect((await runB.perform(await runB.guardAsync(write), () => 'drafted')).status).toBe('executed');
    // A replays it: refused, not run again.
    expect(await runA.guardAsync(write)).toMatchObject({ decision: 'block', reasons: ['already_executed'] });
  });

  it("a refusal presented while the call runs leaves the running call's outcome as it ends", async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    const decision = await run.guardAsync({
      tool: 'draft',
      args: { id: 'd' },
      confidence: 0.99,
      callId: 'c1',
    });
    let finish!: () => void;
    const running = run.perform(
      decision,
      () => new Promise<string>((resolve) => (finish = () => resolve('done'))),
    );
    const refused = {
      ...decision,
      decision: 'block' as const,
      reasons: [...decision.reasons, 'already_executed' as const],
    };
    expect((await run.perform(refused, () => 'never')).status).toBe('refused');
    finish();
    expect((await running).status).toBe('executed');
    expect(sink.events.filter((e) => e.event === 'outcome').map((e) => e.status)).toEqual(['executed']);
    const report = await run.rollback();
    expect([...report.undone, ...report.manual_recovery, ...report.unrecoverable]).toHaveLength(1);
  });
});
