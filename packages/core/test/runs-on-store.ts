import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemorySink } from '../src/audit/jsonl-file-sink.js';
import { loadManifest } from '../src/manifest/load-manifest.js';
import { createOrbit, type OrbitOptions } from '../src/run/create-orbit.js';
import { defineTool } from '../src/run/define-tool.js';
import type { RunStore } from '../src/stores/run-store.js';
import { StoreUnavailableError } from '../src/stores/store-unavailable-error.js';
import { manifestOf, orchestratorManifest } from './support.js';

/**
 * Runs on a shared store, as several workers see them: two Orbits on one store are two processes.
 * The same tests run against every store.
 */
export function describeRunsOnStore(name: string, make: () => Promise<RunStore>) {
  const worker = async (store: RunStore, options: Partial<OrbitOptions> = {}, manifest = manifestOf()) => {
    const loaded = await loadManifest({ manifest, allowUnsigned: true, logger: { warn() {} } });
    const sink = new MemorySink();
    return { orbit: createOrbit({ manifest: loaded, sink, store, ...options }), sink };
  };
  const sideEffects: string[] = [];
  const update = defineTool({
    name: 'update',
    input: z.object({ id: z.string() }),
    resource: ({ id }) => `item:${id}`,
    records: () => 1,
    execute: ({ id }) => {
      sideEffects.push(id);
      return { id };
    },
  });
  const read = defineTool({ name: 'read', input: z.object({}), execute: () => 'ok' });

  describe(`runs on the ${name} store`, () => {
    it("shares one run's limits between workers: N calls against a limit L run exactly L times", async () => {
      const store = await make();
      const a = await worker(
        store,
        {},
        manifestOf({
          allowed_tools: [{ name: 'update', max_calls_per_run: 10, reversibility: 'reversible' }],
        }),
      );
      const b = await worker(
        store,
        {},
        manifestOf({
          allowed_tools: [{ name: 'update', max_calls_per_run: 10, reversibility: 'reversible' }],
        }),
      );
      const runId = randomUUID();
      const runA = a.orbit.startRun({ runId });
      await runA.ready(); // the run's record is in the store: the second worker takes it up
      const runB = b.orbit.resumeRun(runId);
      const tag = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? runA : runB).execute(update, { id: `${tag}-${i}`, confidence: 0.99 }),
        ),
      );
      expect(results.filter((r) => r.status === 'executed')).toHaveLength(10);
      expect(sideEffects.filter((id) => id.startsWith(tag))).toHaveLength(10);
      const decisions = [...a.sink.events, ...b.sink.events].filter((e) => e.event === 'decision');
      expect(decisions.filter((e) => e.decision === 'proceed')).toHaveLength(10);
      expect(
        decisions.filter((e) => e.decision === 'block' && e.reasons?.includes('max_calls_exceeded')),
      ).toHaveLength(50);
      await store.close();
    });

    it('lets another process answer a pause: the waiting worker runs the call once', async () => {
      const store = await make();
      const a = await worker(store, { approvalTimeoutMs: 10_000 });
      const console_ = await worker(store);
      const run = a.orbit.startRun();
      const id = `answered-${randomUUID()}`;
      const waiting = run.execute(update, { id, confidence: 0.8 });
      let pending: Awaited<ReturnType<RunStore['listPending']>> = [];
      for (let i = 0; i < 100 && pending.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        pending = (await store.listPending({ treeId: run.id })) ?? [];
      }
      expect(pending).toHaveLength(1);
      const approver = console_.orbit.resumeRun(run.id);
      const answered = await approver.answerAsync(pending[0]!.request.approval_id, {
        type: 'approve',
        action_hash: pending[0]!.request.action_hash,
        approver: 'ann@ops',
      });
      expect(answered.decision.decision).toBe('proceed_with_log');
      const result = await waiting;
      expect(result.status).toBe('executed');
      expect(sideEffects.filter((x) => x === id)).toHaveLength(1);
      await store.close();
    });

    it('resumes after a crash: the approval answered while the worker was down runs exactly once', async () => {
      const store = await make();
      const dead = await worker(store, { approvalTimeoutMs: 60_000 });
      const run = dead.orbit.startRun();
      const id = `resumed-${randomUUID()}`;
      const decision = await run.guardAsync({
        tool: 'update',
        args: { id },
        confidence: 0.8,
        records: 1,
        resource: `item:${id}`,
      });
      expect(decision.decision).toBe('pause');
      // the worker dies here; a person answers in the console
      const [pending] = await store.listPending({ treeId: run.id });
      expect(pending?.request.call_id).toBe(decision.call_id);
      await store.answerApproval(
        run.id,
        pending!.request.approval_id,
        { type: 'approve', action_hash: pending!.request.action_hash, approver: 'ann' },
        Date.now(),
      );
      // two new workers start and pick it up at once
      const b = await worker(store);
      const c = await worker(store);
      const [rb, rc] = await Promise.all([
        b.orbit.resumeRun(run.id).resumeApproved([update]),
        c.orbit.resumeRun(run.id).resumeApproved([update]),
      ]);
      const all = [...rb, ...rc];
      expect(all.filter((r) => r.status === 'executed')).toHaveLength(1);
      expect(sideEffects.filter((x) => x === id)).toHaveLength(1);
      expect(await b.orbit.resumeRun(run.id).resumeApproved([update])).toEqual([]);
      await store.close();
    });

    it('fails closed when the store cannot be reached, tells the application, and counts right when it is back', async () => {
      const inner = await make();
      let down = false;
      const flaky = new Proxy(inner, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function' || key === 'close') return value;
          return (...args: unknown[]) =>
            down
              ? Promise.reject(new StoreUnavailableError(name, new Error('connection refused')))
              : value.apply(target, args);
        },
      });
      const errors: unknown[] = [];
      const manifest = manifestOf({
        allowed_tools: [
          { name: 'update', max_calls_per_run: 3, reversibility: 'reversible' },
          { name: 'read', max_calls_per_run: 10, reversibility: 'read_only' },
        ],
      });
      const { orbit } = await worker(flaky, { onStoreError: (e) => errors.push(e) }, manifest);
      const run = orbit.startRun();
      const tag = randomUUID();
      expect((await run.execute(update, { id: `${tag}-1`, confidence: 0.99 })).status).toBe('executed');
      down = true;
      const refused = await run.execute(update, { id: `${tag}-2`, confidence: 0.99 });
      expect(refused).toMatchObject({
        status: 'refused',
        decision: { decision: 'block', reasons: ['store_unavailable'] },
      });
      expect((await run.execute(read, {})).decision.reasons).toEqual(['store_unavailable']);
      expect(errors.length).toBeGreaterThan(0);
      const readsAllowed = await worker(flaky, { storeDownReads: 'allow', onStoreError: () => {} }, manifest);
      expect((await readsAllowed.orbit.startRun().execute(read, {})).status).toBe('executed');
      down = false;
      expect((await run.execute(update, { id: `${tag}-3`, confidence: 0.99 })).status).toBe('executed');
      expect((await run.execute(update, { id: `${tag}-4`, confidence: 0.99 })).status).toBe('executed');
      expect((await run.execute(update, { id: `${tag}-5`, confidence: 0.99 })).decision.reasons).toEqual([
        'max_calls_exceeded',
      ]);
      expect(sideEffects.filter((x) => x.startsWith(tag))).toEqual([`${tag}-1`, `${tag}-3`, `${tag}-4`]);
      await inner.close();
    });

    it("rolls a sub-agent's counts up into its parent through the store, and revocations reach every worker", async () => {
      const store = await make();
      const { orbit } = await worker(store, {}, orchestratorManifest());
      const run = orbit.startRun();
      const { run: entry } = await run.delegate({ profile: 'data-entry' });
      const crm = defineTool({
        name: 'update_crm_record',
        input: z.object({ id: z.string() }),
        resource: ({ id }) => `crm:contact:${id}`,
        execute: () => 1,
      });
      expect((await entry!.execute(crm, { id: '1', confidence: 0.9 })).status).toBe('executed');
      await store.revoke({ tokenId: entry!.tokenId! });
      await run.revoke(); // the kill switch reaches the store, for every worker
      expect(await store.isRevoked(run.id, [])).toBe(true);
      await expect(entry!.execute(crm, { id: '2', confidence: 0.9 })).rejects.toMatchObject({
        decision: { reasons: ['token_revoked'] },
      });
      await store.close();
    });

    it('rolls a run back from another process: the undos run with the arguments and output the store kept', async () => {
      const store = await make();
      const undone: unknown[] = [];
      const draft = defineTool({
        name: 'draft',
        input: z.object({ id: z.string(), fail: z.boolean().optional() }),
        resource: ({ id }) => `doc:${id}`,
        execute: ({ id, fail }, context) => {
          if (fail) throw new Error('disk full');
          return { previous: `v1-${id}`, run: context.runId };
        },
        undo: (input, output, context) => void undone.push({ input, output, context }),
      });
      const partial = defineTool({
        name: 'update',
        input: z.object({ id: z.string() }),
        execute: () => 'ok',
      });
      const a = await worker(store);
      const run = a.orbit.startRun();
      expect((await run.execute(draft, { id: 'one', confidence: 0.99 })).status).toBe('executed');
      expect((await run.execute(partial, { id: 'two', confidence: 0.99 })).status).toBe('executed');
      expect((await run.execute(draft, { id: 'three', fail: true, confidence: 0.99 })).status).toBe('error');
      expect((await run.execute(read, { confidence: 0.99 })).status).toBe('executed');

      const { planStoredRollback, rollbackStoredRun } = await import('../src/exports/stores.js');
      const target = { treeId: run.id, runId: run.id, tools: [draft, partial] };
      const plan = await planStoredRollback(store, target);
      expect(plan.map((step) => [step.tool, step.plan, step.why])).toEqual([
        ['draft', 'manual_recovery', 'the call failed: what it changed is checked by hand'],
        ['update', 'manual_recovery', 'a partial action: recovered by hand'],
        ['draft', 'undo', undefined],
      ]);
      expect((await planStoredRollback(store, { ...target, tools: [] }))[2]).toMatchObject({
        plan: 'manual_recovery',
        why: 'no tool named "draft" among the tools given',
      });

      const report = await rollbackStoredRun(store, target);
      expect(report.undone).toEqual([
        { call_id: plan[2]!.call_id, tool: 'draft', reversibility: 'reversible', resource: 'doc:one' },
      ]);
      expect(report.manual_recovery.map((entry) => entry.tool)).toEqual(['draft', 'update']);
      expect(undone).toEqual([
        {
          input: { id: 'one' },
          output: { previous: 'v1-one', run: run.id },
          context: { runId: run.id, callId: plan[2]!.call_id, agentId: 'test-agent' },
        },
      ]);
      // a second rollback does not undo it again
      expect((await planStoredRollback(store, target))[2]).toMatchObject({
        tool: 'draft',
        plan: 'already_undone',
      });
      const again = await rollbackStoredRun(store, target);
      expect(again.undone).toEqual([]);
      expect(again.already_undone).toEqual(report.undone);
      expect(undone).toHaveLength(1);

      // undone in the process that ran it: a rollback from the store does not undo it again
      const b = await worker(store);
      const other = b.orbit.startRun();
      expect((await other.execute(draft, { id: 'four', confidence: 0.99 })).status).toBe('executed');
      expect((await other.rollback()).undone).toHaveLength(1);
      expect(undone).toHaveLength(2);
      const elsewhere = { treeId: other.id, runId: other.id, tools: [draft] };
      expect((await planStoredRollback(store, elsewhere)).map((step) => step.plan)).toEqual([
        'already_undone',
      ]);
      expect((await rollbackStoredRun(store, elsewhere)).undone).toEqual([]);
      expect(undone).toHaveLength(2);
      await store.close();
    });
  });
}
