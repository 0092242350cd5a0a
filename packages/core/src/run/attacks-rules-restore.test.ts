import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orbitOf } from '../../test/support.js';
import type { ManifestInput } from '../manifest/manifest-schema.js';
import { SqliteStore } from '../stores/sqlite-store.js';

/**
 * A paused call taken up in another process (a framework replaying it after a restart) is answered
 * there: its resource and its tool's reversibility() answer must come with it, or the approval in the
 * second process runs past a per-resource limit or under a more lenient tier than the first decided.
 */

const approve = (hash: string) => ({ type: 'approve' as const, action_hash: hash, approver: 'ana' });
const dbPath = () => join(mkdtempSync(join(tmpdir(), 'orbit-attacks-rules-')), 'runs.db');

describe('attacks on the rules: a paused call taken up in another process', () => {
  it('keeps max_calls_per_resource: the second modification of one order, approved elsewhere, is refused', async () => {
    const tools: ManifestInput['allowed_tools'] = [
      { name: 'modify_order', max_calls_per_run: 10, max_calls_per_resource: 1, reversibility: 'partial' },
    ];
    const path = dbPath();
    const a = await orbitOf({ allowed_tools: tools }, { store: new SqliteStore({ path }) });
    const runA = a.orbit.startRun({ runId: 'thread-r' });
    const first = { tool: 'modify_order', args: { order: 'A' }, resource: 'order:A', confidence: 0.5 };
    const second = { ...first, args: { order: 'A', note: 'again' } };
    const p1 = await runA.guardAsync({ ...first, callId: 'c1' });
    const p2 = await runA.guardAsync({ ...second, callId: 'c2' });
    expect([p1.decision, p2.decision]).toEqual(['pause', 'pause']);
    const r1 = await runA.resolveApproval(p1.approval!.approval_id, approve(p1.approval!.action_hash));
    expect((await runA.perform(r1.decision, () => 'modified')).status).toBe('executed');

    // Another process takes the run up; the framework replays the second call and a person approves it.
    const b = await orbitOf({ allowed_tools: tools }, { store: new SqliteStore({ path }) });
    const runB = b.orbit.resumeRun('thread-r');
    const replay = await runB.guardAsync({ ...second, callId: 'c2' });
    expect(replay.approval?.approval_id).toBe(p2.approval!.approval_id);
    const r2 = await runB.resolveApproval(replay.approval!.approval_id, approve(p2.approval!.action_hash));
    expect(r2.decision).toMatchObject({
      decision: 'block',
      reasons: expect.arrayContaining(['resource_call_limit_reached']),
    });
    let ran = false;
    await runB.perform(r2.decision, () => (ran = true));
    expect(ran).toBe(false);
  });

  it("keeps the tool hook's stricter tier: approved elsewhere, the call is still irreversible", async () => {
    const tools: ManifestInput['allowed_tools'] = [
      { name: 'cancel_booking', max_calls_per_run: 10, reversibility: 'reversible' },
    ];
    const path = dbPath();
    const a = await orbitOf({ allowed_tools: tools }, { store: new SqliteStore({ path }) });
    const runA = a.orbit.startRun({ runId: 'thread-h' });
    // The hook says irreversible (too close to the stay): at level 3 the call pauses.
    const call = {
      tool: 'cancel_booking',
      args: { booking: 'B-1' },
      confidence: 0.99,
      reversibility: 'irreversible',
      callId: 'c1',
    };
    const paused = await runA.guardAsync(call);
    expect(paused).toMatchObject({ decision: 'pause', reversibility: 'irreversible' });

    const b = await orbitOf({ allowed_tools: tools }, { store: new SqliteStore({ path }) });
    const runB = b.orbit.resumeRun('thread-h');
    const replay = await runB.guardAsync(call);
    const answered = await runB.resolveApproval(
      replay.approval!.approval_id,
      approve(paused.approval!.action_hash),
    );
    expect(answered.decision).toMatchObject({ decision: 'proceed_with_log', reversibility: 'irreversible' });
    await runB.perform(answered.decision, () => 'cancelled', { undo: () => 'undone' });
    // Not offered for an automatic undo: it is irreversible.
    const report = await runB.rollback();
    expect(report.undone).toHaveLength(0);
  });
});

describe('attacks on the rules: a replay with other arguments', () => {
  it('does not lend its resource to the stored call (the id is refused, the true replay is still limited)', async () => {
    const tools: ManifestInput['allowed_tools'] = [
      { name: 'modify_order', max_calls_per_run: 10, max_calls_per_resource: 1, reversibility: 'partial' },
    ];
    const path = dbPath();
    const a = await orbitOf({ allowed_tools: tools }, { store: new SqliteStore({ path }) });
    const runA = a.orbit.startRun({ runId: 'thread-x' });
    const call = { tool: 'modify_order', args: { order: 'A' }, resource: 'order:A', confidence: 0.5 };
    const p1 = await runA.guardAsync({ ...call, callId: 'c1' });
    const p2 = await runA.guardAsync({ ...call, args: { order: 'A', n: 2 }, callId: 'c2' });
    const r1 = await runA.resolveApproval(p1.approval!.approval_id, approve(p1.approval!.action_hash));
    await runA.perform(r1.decision, () => 'modified');

    const b = await orbitOf({ allowed_tools: tools }, { store: new SqliteStore({ path }) });
    const runB = b.orbit.resumeRun('thread-x');
    await expect(
      runB.guardAsync({ ...call, args: { order: 'Z' }, resource: 'order:Z', callId: 'c2' }),
    ).rejects.toThrow(/c2/);
    const replay = await runB.guardAsync({ ...call, args: { order: 'A', n: 2 }, callId: 'c2' });
    const r2 = await runB.resolveApproval(replay.approval!.approval_id, approve(p2.approval!.action_hash));
    expect(r2.decision.reasons).toContain('resource_call_limit_reached');
  });
});
