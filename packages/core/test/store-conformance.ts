import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../src/approvals/approval.js';
import type { AdmitRequest, RunStore, StoredApproval } from '../src/stores/run-store.js';
import { describeResourceLimits } from './store-conformance-resource-limits.js';
import { describeTrustRecords } from './store-conformance-trust.js';

/**
 * The conformance suite every store passes: the same tests against memory, SQLite and Redis.
 * `make` gives a fresh, empty store (or one whose keys cannot collide with earlier tests).
 */
export function describeRunStore(name: string, make: () => Promise<RunStore>) {
  const T0 = Date.UTC(2026, 10, 25, 12);
  const tree = () => `tree-${randomUUID()}`;
  const admit = (store: RunStore, treeId: string, overrides: Partial<AdmitRequest> = {}) =>
    store.admit({
      treeId,
      chain: [{ runId: treeId, maxCalls: 3 }],
      tool: 'update',
      records: 0,
      tokens: 0,
      count: true,
      approved: false,
      now: T0,
      ...overrides,
    });
  const approval = (treeId: string, overrides: Partial<ApprovalRequest> = {}, at = T0): StoredApproval => {
    const request = {
      approval_id: randomUUID(),
      run_id: treeId,
      agent_id: 'agent-a',
      call_id: `call-${randomUUID()}`,
      tool: 'update',
      args: { id: 1 },
      decision: 'pause',
      reasons: ['below_tool_threshold'],
      confidence: 0.8,
      reversibility: 'partial',
      action_hash: `sha256:${randomUUID()}`,
      requested_at: new Date(at).toISOString(),
      allowed_answers: ['approve', 'deny', 'edit'],
      context: { task_scope: 't', maturity_level: 3, ledger: {} },
      ...overrides,
    } as ApprovalRequest;
    return { treeId, request, status: 'pending', requestedAt: at, expiresAt: at + 60_000 };
  };

  describe(`${name} store: conformance`, () => {
    describeResourceLimits(make);

    describe('ledgers', () => {
      it('counts a call up to its limit and refuses the next, in one step', async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        const results = [];
        for (let i = 0; i < 4; i++) results.push(await admit(store, treeId));
        expect(results.map((r) => r.admitted)).toEqual([true, true, true, false]);
        expect(results[3]).toMatchObject({ callsExceeded: true, halted: false });
        await store.close();
      });

      it('admits exactly min(N, L) of N concurrent calls', async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        const results = await Promise.all(
          Array.from({ length: 200 }, () =>
            admit(store, treeId, { chain: [{ runId: treeId, maxCalls: 50 }] }),
          ),
        );
        expect(results.filter((r) => r.admitted)).toHaveLength(50);
        await store.close();
      });

      it("keeps a run's counters when it is started again (a resumed run)", async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        await admit(store, treeId);
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0 + 1000, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        await admit(store, treeId);
        await admit(store, treeId);
        expect((await admit(store, treeId)).admitted).toBe(false);
        await store.close();
      });

      it("checks and counts every run of the chain: a sub-agent's calls count against its ancestors", async () => {
        const store = await make();
        const treeId = tree();
        const child = `${treeId}-child`;
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        await store.startRun(
          { treeId: treeId, runId: child, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        const chain = [
          { runId: child, maxCalls: 10 },
          { runId: treeId, maxCalls: 2 },
        ];
        expect((await admit(store, treeId, { chain })).admitted).toBe(true);
        expect((await admit(store, treeId, { chain })).admitted).toBe(true);
        expect(await admit(store, treeId, { chain })).toMatchObject({ admitted: false, callsExceeded: true });
        expect((await admit(store, treeId, { chain: [{ runId: treeId, maxCalls: 2 }] })).admitted).toBe(
          false,
        );
        await store.close();
      });

      it('reports crossed budgets and does not count them, unless a human approved the call', async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        const chain = [{ runId: treeId, maxCalls: 10, maxTokens: 100, maxRecords: 5, timeLimitMs: 1000 }];
        expect(await admit(store, treeId, { chain, tokens: 90, records: 5 })).toMatchObject({
          admitted: true,
          tokensExceeded: false,
        });
        expect(await admit(store, treeId, { chain, tokens: 20 })).toMatchObject({
          admitted: false,
          tokensExceeded: true,
        });
        expect(await admit(store, treeId, { chain, records: 1 })).toMatchObject({
          admitted: false,
          recordsExceeded: true,
        });
        expect(await admit(store, treeId, { chain, now: T0 + 2000 })).toMatchObject({
          admitted: false,
          timeExceeded: true,
        });
        expect(await admit(store, treeId, { chain, records: 1, approved: true })).toMatchObject({
          admitted: true,
          recordsExceeded: true,
        });
        await store.extend(treeId, treeId, { tokens: 100, records: 10, ms: 5000 });
        expect(await admit(store, treeId, { chain, records: 1, now: T0 + 2000 })).toMatchObject({
          admitted: true,
          tokensExceeded: false,
          recordsExceeded: false,
          timeExceeded: false,
        });
        await store.close();
      });

      it('does not count when asked only to check, and adds tokens to every run of a chain', async () => {
        const store = await make();
        const treeId = tree();
        const child = `${treeId}-c`;
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        await store.startRun(
          { treeId: treeId, runId: child, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        for (let i = 0; i < 5; i++)
          expect((await admit(store, treeId, { count: false })).admitted).toBe(false);
        expect((await admit(store, treeId)).admitted).toBe(true);
        await store.addTokens(treeId, [child, treeId], 60);
        const chain = [
          { runId: child, maxTokens: 1000 },
          { runId: treeId, maxTokens: 50 },
        ];
        expect(await admit(store, treeId, { chain })).toMatchObject({
          admitted: false,
          tokensExceeded: true,
        });
        await store.close();
      });

      it('flags a resource type neither known nor seen, once it has run it no more', async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        const chain = [{ runId: treeId, maxCalls: 10 }];
        expect(
          await admit(store, treeId, { chain, resourceType: 'invoice', resourceTypeKnown: true }),
        ).toMatchObject({ admitted: true, newResourceType: false });
        expect(
          await admit(store, treeId, { chain, resourceType: 'payroll', resourceTypeKnown: false }),
        ).toMatchObject({ admitted: false, newResourceType: true });
        expect(
          await admit(store, treeId, {
            chain,
            resourceType: 'payroll',
            resourceTypeKnown: false,
            approved: true,
          }),
        ).toMatchObject({ admitted: true });
        expect(
          await admit(store, treeId, { chain, resourceType: 'payroll', resourceTypeKnown: false }),
        ).toMatchObject({ admitted: true, newResourceType: false });
        await store.close();
      });

      it('halts a run and everything under it, and treats an unknown run as halted', async () => {
        const store = await make();
        const treeId = tree();
        const child = `${treeId}-c`;
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        await store.startRun(
          { treeId: treeId, runId: child, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        await store.halt(treeId, treeId);
        expect(await admit(store, treeId)).toMatchObject({ admitted: false, halted: true });
        expect(await admit(store, treeId, { chain: [{ runId: child }, { runId: treeId }] })).toMatchObject({
          admitted: false,
          halted: true,
        });
        expect(await admit(store, treeId, { chain: [{ runId: `${treeId}-never-started` }] })).toMatchObject({
          admitted: false,
          halted: true,
          stateLost: true,
        });
        await store.close();
      });

      it('counts a tool named like an Object.prototype member like any other', async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 60_000 },
        );
        for (const tool of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
          const results = [];
          for (let i = 0; i < 3; i++) {
            results.push(
              (await admit(store, treeId, { tool, chain: [{ runId: treeId, maxCalls: 2 }] })).admitted,
            );
          }
          expect(results, tool).toEqual([true, true, false]);
        }
        await store.close();
      });
    });

    describe('run records and manifest versions', () => {
      const record = (treeId: string, runId = treeId, manifestDigest = 'sha256:m1') => ({
        treeId,
        runId,
        startedAt: T0,
        manifestDigest,
      });

      it("writes a new run's record first and keeps it when the run is started or resumed again", async () => {
        const store = await make();
        const treeId = tree();
        expect(await store.startRun(record(treeId), { mode: 'start', ttlMs: 60_000 })).toBe('started');
        expect((await admit(store, treeId)).admitted).toBe(true);
        expect(await store.startRun(record(treeId), { mode: 'start', ttlMs: 60_000 })).toBe('resumed');
        expect(await store.startRun(record(treeId), { mode: 'resume', ttlMs: 60_000 })).toBe('resumed');
        expect((await admit(store, treeId)).admitted).toBe(true);
        expect((await admit(store, treeId)).admitted).toBe(true);
        expect(await admit(store, treeId)).toMatchObject({ admitted: false, callsExceeded: true });
        await store.close();
      });

      it('refuses to resume a run without a record (its state is gone), and writes nothing', async () => {
        const store = await make();
        const treeId = tree();
        expect(await store.startRun(record(treeId), { mode: 'resume', ttlMs: 60_000 })).toBe('state_lost');
        expect(await admit(store, treeId)).toMatchObject({ admitted: false, halted: true, stateLost: true });
        expect(await store.startRun(record(treeId), { mode: 'resume', ttlMs: 60_000 })).toBe('state_lost');
        await store.close();
      });

      it('keeps the manifest digest a run started with: another one is refused, the record unchanged', async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(record(treeId), { mode: 'start', ttlMs: 60_000 });
        const other = record(treeId, treeId, 'sha256:m2');
        expect(await store.startRun(other, { mode: 'resume', ttlMs: 60_000 })).toBe('manifest_changed');
        expect(await store.startRun(other, { mode: 'start', ttlMs: 60_000 })).toBe('manifest_changed');
        expect(await store.startRun(record(treeId), { mode: 'resume', ttlMs: 60_000 })).toBe('resumed');
        await store.close();
      });

      it('reports a chain with a run whose record is gone as lost, and counts nothing in the others', async () => {
        const store = await make();
        const treeId = tree();
        await store.startRun(record(treeId), { mode: 'start', ttlMs: 60_000 });
        const chain = [{ runId: `${treeId}-gone` }, { runId: treeId, maxCalls: 1 }];
        expect(await admit(store, treeId, { chain })).toMatchObject({ admitted: false, stateLost: true });
        expect((await admit(store, treeId, { chain: [{ runId: treeId, maxCalls: 1 }] })).admitted).toBe(true);
        await store.close();
      });

      it('records the newest manifest version per agent and refuses older ones, or its version with other content', async () => {
        const store = await make();
        const agent = `agent-${randomUUID()}`;
        expect(await store.recordManifest(agent, 0, 'd0')).toEqual({ ok: true, newest: false });
        expect(await store.recordManifest(agent, 2, 'd2')).toEqual({ ok: true, newest: true });
        expect(await store.recordManifest(agent, 2, 'd2')).toEqual({ ok: true, newest: false });
        expect(await store.recordManifest(agent, 1, 'd1')).toEqual({
          ok: false,
          reason: 'older',
          newestVersion: 2,
        });
        expect(await store.recordManifest(agent, 0, 'd0')).toMatchObject({ ok: false, reason: 'older' });
        expect(await store.recordManifest(agent, 2, 'dX')).toEqual({
          ok: false,
          reason: 'same_version_different_content',
          newestVersion: 2,
        });
        expect(await store.recordManifest(agent, 3, 'd3')).toEqual({ ok: true, newest: true });
        expect(await store.recordManifest(`${agent}-other`, 1, 'o1')).toEqual({ ok: true, newest: true });
        await store.close();
      });

      it('keeps the newest version as an atomic maximum under concurrent deploys', async () => {
        const store = await make();
        const agent = `agent-${randomUUID()}`;
        const versions = [7, 3, 20, 1, 12, 19, 5, 2, 16, 9];
        await Promise.all(versions.map((v) => store.recordManifest(agent, v, `d${v}`)));
        expect(await store.recordManifest(agent, 19, 'd19')).toEqual({
          ok: false,
          reason: 'older',
          newestVersion: 20,
        });
        expect(await store.recordManifest(agent, 20, 'd20')).toEqual({ ok: true, newest: false });
        await store.close();
      });
    });

    describe('approvals', () => {
      it('stores and returns a pending approval', async () => {
        const store = await make();
        const treeId = tree();
        const pending = approval(treeId);
        await store.putApproval(treeId, pending);
        expect(await store.getApproval(treeId, pending.request.approval_id)).toEqual(pending);
        expect(await store.getApproval(treeId, 'nope')).toBeUndefined();
        await store.close();
      });

      it('lets the first answer win, bound to the action hash, recording who answered', async () => {
        const store = await make();
        const treeId = tree();
        const pending = approval(treeId);
        const id = pending.request.approval_id;
        await store.putApproval(treeId, pending);
        const hash = pending.request.action_hash;
        expect(
          await store.answerApproval(
            treeId,
            id,
            { type: 'approve', action_hash: 'sha256:other', approver: 'eve' },
            T0,
          ),
        ).toMatchObject({ ok: false, reason: 'hash_mismatch' });
        const answers = await Promise.all(
          ['ann', 'bob', 'cid'].map((approver) =>
            store.answerApproval(
              treeId,
              id,
              { type: approver === 'ann' ? 'approve' : 'deny', action_hash: hash, approver },
              T0 + 5,
            ),
          ),
        );
        expect(answers.filter((a) => a.ok)).toHaveLength(1);
        expect(answers.filter((a) => !a.ok).map((a) => !a.ok && a.reason)).toEqual([
          'already_answered',
          'already_answered',
        ]);
        const stored = await store.getApproval(treeId, id);
        expect(stored?.answer?.approver).toBe(
          answers.find((a) => a.ok)!.ok &&
            (answers.find((a) => a.ok) as { approval: StoredApproval }).approval.answer?.approver,
        );
        expect(stored?.answeredAt).toBe(T0 + 5);
        expect(
          await store.answerApproval(
            treeId,
            'unknown',
            { type: 'approve', action_hash: hash, approver: 'a' },
            T0,
          ),
        ).toMatchObject({ ok: false, reason: 'unknown' });
        await store.close();
      });

      it('records a timeout only while pending, never over a human answer', async () => {
        const store = await make();
        const treeId = tree();
        const a = approval(treeId);
        const b = approval(treeId);
        await store.putApproval(treeId, a);
        await store.putApproval(treeId, b);
        expect(await store.expireApproval(treeId, a.request.approval_id, T0 + 1)).toMatchObject({
          ok: true,
          approval: { status: 'timeout' },
        });
        expect(
          await store.answerApproval(
            treeId,
            a.request.approval_id,
            { type: 'approve', action_hash: a.request.action_hash, approver: 'x' },
            T0 + 2,
          ),
        ).toMatchObject({ ok: false, reason: 'already_answered' });
        await store.answerApproval(
          treeId,
          b.request.approval_id,
          { type: 'deny', action_hash: b.request.action_hash, approver: 'x' },
          T0,
        );
        expect(await store.expireApproval(treeId, b.request.approval_id, T0 + 1)).toMatchObject({
          ok: false,
          reason: 'already_answered',
        });
        expect((await store.getApproval(treeId, b.request.approval_id))?.status).toBe('denied');
        await store.close();
      });

      it('lets exactly one caller claim an approved call for execution', async () => {
        const store = await make();
        const treeId = tree();
        const a = approval(treeId);
        const id = a.request.approval_id;
        await store.putApproval(treeId, a);
        expect(await store.claimExecution(treeId, id)).toBe(false); // still pending
        await store.answerApproval(
          treeId,
          id,
          { type: 'approve', action_hash: a.request.action_hash, approver: 'x' },
          T0,
        );
        const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimExecution(treeId, id)));
        expect(claims.filter(Boolean)).toHaveLength(1);
        await store.completeExecution(treeId, id);
        expect((await store.getApproval(treeId, id))?.status).toBe('done');
        expect(await store.claimExecution(treeId, id)).toBe(false);
        await store.close();
      });

      it('lists pending approvals by agent, tree and age, oldest first', async () => {
        const store = await make();
        const treeId = tree();
        const old = approval(treeId, {}, T0);
        const young = approval(treeId, { agent_id: 'agent-b' }, T0 + 50_000);
        const answered = approval(treeId, {}, T0);
        for (const a of [young, old, answered]) await store.putApproval(treeId, a);
        await store.answerApproval(
          treeId,
          answered.request.approval_id,
          { type: 'deny', action_hash: answered.request.action_hash, approver: 'x' },
          T0,
        );
        const ids = (list: StoredApproval[]) => list.map((a) => a.request.approval_id);
        expect(ids(await store.listPending({ treeId }))).toEqual([
          old.request.approval_id,
          young.request.approval_id,
        ]);
        expect(ids(await store.listPending({ treeId, agentId: 'agent-b' }))).toEqual([
          young.request.approval_id,
        ]);
        expect(ids(await store.listPending({ treeId, olderThanMs: 30_000, now: T0 + 60_000 }))).toEqual([
          old.request.approval_id,
        ]);
        await store.close();
      });

      it("lists a tree's approvals by run and state, so a restarted worker finds what was answered", async () => {
        const store = await make();
        const treeId = tree();
        const mine = approval(treeId, { run_id: treeId }, T0);
        const other = approval(treeId, { run_id: `${treeId}-sub` }, T0 + 1);
        const later = approval(treeId, { run_id: treeId }, T0 + 2);
        for (const a of [later, other, mine]) await store.putApproval(treeId, a);
        await store.answerApproval(
          treeId,
          mine.request.approval_id,
          { type: 'approve', action_hash: mine.request.action_hash, approver: 'x' },
          T0,
        );
        await store.answerApproval(
          treeId,
          other.request.approval_id,
          { type: 'approve', action_hash: other.request.action_hash, approver: 'x' },
          T0,
        );
        const ids = (list: StoredApproval[]) => list.map((a) => a.request.approval_id);
        expect(
          ids(await store.listApprovals(treeId, { runId: treeId, statuses: ['approved', 'edited'] })),
        ).toEqual([mine.request.approval_id]);
        expect(ids(await store.listApprovals(treeId, { statuses: ['approved'] }))).toEqual([
          mine.request.approval_id,
          other.request.approval_id,
        ]);
        expect(ids(await store.listApprovals(treeId, { statuses: ['pending'] }))).toEqual([
          later.request.approval_id,
        ]);
        await store.close();
      });

      it('wakes a waiter when the approval is answered, and gives up at its timeout', async () => {
        const store = await make();
        const other = await make();
        const treeId = tree();
        const a = approval(treeId);
        await store.putApproval(treeId, a);
        const waiting = store.waitForAnswer(treeId, a.request.approval_id, 5_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await other.answerApproval(
          treeId,
          a.request.approval_id,
          { type: 'approve', action_hash: a.request.action_hash, approver: 'x' },
          T0,
        );
        expect(await waiting).toMatchObject({ status: 'approved' });
        const b = approval(treeId);
        await store.putApproval(treeId, b);
        expect(await store.waitForAnswer(treeId, b.request.approval_id, 50)).toBeUndefined();
        await store.close();
        await other.close();
      });
    });

    describe('revocations and compensation logs', () => {
      it('revokes tokens and whole trees', async () => {
        const store = await make();
        const treeId = tree();
        expect(await store.isRevoked(treeId, ['t1', 't2'])).toBe(false);
        await store.revoke({ tokenId: 't2' });
        expect(await store.isRevoked(treeId, ['t1', 't2'])).toBe(true);
        expect(await store.isRevoked(treeId, ['t1'])).toBe(false);
        await store.revoke({ treeId });
        expect(await store.isRevoked(treeId, [])).toBe(true);
        await store.close();
      });

      describeTrustRecords(make);

      it("keeps a run's executed actions in order", async () => {
        const store = await make();
        const treeId = tree();
        await store.appendAction(treeId, treeId, {
          callId: 'c1',
          tool: 'draft',
          reversibility: 'reversible',
          resource: 'doc:1',
        });
        await store.appendAction(treeId, treeId, { callId: 'c2', tool: 'update', reversibility: 'partial' });
        expect((await store.listActions(treeId, treeId)).map((a) => a.callId)).toEqual(['c1', 'c2']);
        expect(await store.listActions(treeId, 'other')).toEqual([]);
        await store.close();
      });

      it('keeps what a rollback from the store needs of an action: agent, status, arguments, output', async () => {
        const store = await make();
        const treeId = tree();
        const full = {
          callId: 'c1',
          tool: 'draft',
          reversibility: 'reversible' as const,
          resource: 'doc:1',
          agentId: 'agent-1',
          args: { id: 'doc:1', tags: ['a', 'b'], n: 1.5 },
          output: { previous: null, version: 2 },
        };
        await store.appendAction(treeId, treeId, full);
        await store.appendAction(treeId, treeId, {
          callId: 'c2',
          tool: 'draft',
          reversibility: 'reversible',
          status: 'error',
        });
        await store.appendAction(treeId, treeId, {
          callId: 'c3',
          tool: 'draft',
          reversibility: 'reversible',
          outputKept: false,
        });
        await store.appendAction(treeId, treeId, {
          callId: 'c1',
          tool: 'draft',
          reversibility: 'reversible',
          status: 'undone',
        });
        expect(await store.listActions(treeId, treeId)).toEqual([
          full,
          { callId: 'c2', tool: 'draft', reversibility: 'reversible', status: 'error' },
          { callId: 'c3', tool: 'draft', reversibility: 'reversible', outputKept: false },
          { callId: 'c1', tool: 'draft', reversibility: 'reversible', status: 'undone' },
        ]);
        await store.close();
      });
    });
  });
}
