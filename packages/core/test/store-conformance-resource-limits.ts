import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AdmitRequest, RunLimits, RunStore } from '../src/stores/run-store.js';

/**
 * The store conformance cases of `max_calls_per_resource` (part of `describeRunStore`): calls of one
 * tool on one resource, checked and counted in the same atomic step as every other limit, in each run of
 * the chain that sets the limit. `make` gives another client of the same store (a new connection to the
 * same SQLite file, a new Redis client): what one counted, the next one reads.
 */
export function describeResourceLimits(make: () => Promise<RunStore>) {
  const T0 = Date.UTC(2026, 10, 25, 12);
  const tree = () => `tree-${randomUUID()}`;
  const start = (store: RunStore, treeId: string, runId = treeId) =>
    store.startRun(
      { treeId, runId, startedAt: T0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 60_000 },
    );
  const admit = (store: RunStore, treeId: string, overrides: Partial<AdmitRequest> = {}) =>
    store.admit({
      treeId,
      chain: [{ runId: treeId, maxCalls: 1000, maxCallsPerResource: 1 }],
      tool: 'modify_order',
      resource: 'order:A-1',
      records: 0,
      tokens: 0,
      count: true,
      approved: false,
      now: T0,
      ...overrides,
    });

  describe('per-resource call limits', () => {
    it('admits a tool once per resource under a limit of 1: another resource passes, no resource is not counted', async () => {
      const store = await make();
      const treeId = tree();
      await start(store, treeId);
      expect(await admit(store, treeId)).toMatchObject({ admitted: true, resourceCallsExceeded: false });
      expect(await admit(store, treeId)).toMatchObject({
        admitted: false,
        resourceCallsExceeded: true,
        callsExceeded: false,
        halted: false,
      });
      expect((await admit(store, treeId, { resource: 'order:A-2' })).admitted).toBe(true);
      for (let i = 0; i < 3; i++)
        expect(
          (await admit(store, treeId, { resource: undefined })).admitted,
          `call ${i} without a resource`,
        ).toBe(true);
      // Counted per tool: another tool on the same resource is not held to this tool's limit.
      expect((await admit(store, treeId, { tool: 'cancel_order' })).admitted).toBe(true);
      await store.close();
    });

    it('does not count a refused call: neither on its resource nor against the per-run limit', async () => {
      const store = await make();
      const treeId = tree();
      await start(store, treeId);
      const chain: RunLimits[] = [{ runId: treeId, maxCalls: 2, maxCallsPerResource: 1 }];
      expect((await admit(store, treeId, { chain })).admitted).toBe(true);
      for (let i = 0; i < 3; i++)
        expect(await admit(store, treeId, { chain })).toMatchObject({
          admitted: false,
          resourceCallsExceeded: true,
        });
      // Refused by a crossed budget (not approved): not counted on its resource either.
      const budget: RunLimits[] = [{ runId: treeId, maxCalls: 2, maxCallsPerResource: 1, maxRecords: 0 }];
      expect(await admit(store, treeId, { chain: budget, resource: 'order:B', records: 1 })).toMatchObject({
        admitted: false,
        recordsExceeded: true,
      });
      // A check only (count: false) counts nothing.
      expect((await admit(store, treeId, { chain, resource: 'order:B', count: false })).admitted).toBe(false);
      expect((await admit(store, treeId, { chain, resource: 'order:B' })).admitted).toBe(true);
      expect(await admit(store, treeId, { chain, resource: 'order:C' })).toMatchObject({
        admitted: false,
        callsExceeded: true,
        resourceCallsExceeded: false,
      });
      await store.close();
    });

    it('admits exactly N of 50 concurrent calls on one resource, from several clients', async () => {
      const clients = await Promise.all([make(), make(), make()]);
      const treeId = tree();
      await start(clients[0]!, treeId);
      const chain: RunLimits[] = [{ runId: treeId, maxCalls: 1000, maxCallsPerResource: 7 }];
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => admit(clients[i % clients.length]!, treeId, { chain })),
      );
      expect(results.filter((r) => r.admitted)).toHaveLength(7);
      expect(results.filter((r) => !r.admitted && r.resourceCallsExceeded)).toHaveLength(43);
      // Exactly 7 counted against the run's own limit too: 7 more calls of the tool pass, the next does not.
      const perRun: RunLimits[] = [{ runId: treeId, maxCalls: 14 }];
      for (let i = 0; i < 7; i++)
        expect((await admit(clients[0]!, treeId, { chain: perRun })).admitted).toBe(true);
      expect((await admit(clients[0]!, treeId, { chain: perRun })).callsExceeded).toBe(true);
      await Promise.all(clients.map((client) => client.close()));
    });

    it('keeps the counts for another client (a restart on the same file or server)', async () => {
      const first = await make();
      const treeId = tree();
      await start(first, treeId);
      const chain: RunLimits[] = [{ runId: treeId, maxCalls: 1000, maxCallsPerResource: 2 }];
      expect((await admit(first, treeId, { chain })).admitted).toBe(true);
      expect((await admit(first, treeId, { chain })).admitted).toBe(true);
      expect((await admit(first, treeId, { chain, resource: 'order:Z' })).admitted).toBe(true);
      await first.close();
      const second = await make();
      expect(
        await second.startRun(
          { treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'resume', ttlMs: 60_000 },
        ),
      ).toBe('resumed');
      expect(await admit(second, treeId, { chain })).toMatchObject({
        admitted: false,
        resourceCallsExceeded: true,
      });
      expect((await admit(second, treeId, { chain, resource: 'order:Z' })).admitted).toBe(true);
      expect((await admit(second, treeId, { chain, resource: 'order:Z' })).resourceCallsExceeded).toBe(true);
      await second.close();
    });

    it("counts a sub-agent's calls in every run of its chain that sets the limit: per tree", async () => {
      const store = await make();
      const treeId = tree();
      const [a, b] = [`${treeId}-a`, `${treeId}-b`];
      await start(store, treeId);
      await start(store, treeId, a);
      await start(store, treeId, b);
      const root: RunLimits = { runId: treeId, maxCalls: 1000, maxCallsPerResource: 1 };
      // The sub-agents set no per-resource limit of their own: the root's holds across its tree.
      expect((await admit(store, treeId, { chain: [{ runId: a, maxCalls: 10 }, root] })).admitted).toBe(true);
      expect(await admit(store, treeId, { chain: [{ runId: b, maxCalls: 10 }, root] })).toMatchObject({
        admitted: false,
        resourceCallsExceeded: true,
      });
      expect((await admit(store, treeId, { chain: [root] })).resourceCallsExceeded).toBe(true);
      // Only the runs that set the limit count: sub-agent `a` counted nothing per resource, so a limit
      // it gets later (a new chain entry) starts from zero there, while the root still refuses.
      expect(
        (await admit(store, treeId, { chain: [{ runId: a, maxCalls: 10, maxCallsPerResource: 1 }] }))
          .admitted,
      ).toBe(true);
      expect((await admit(store, treeId, { chain: [root], resource: 'order:B' })).admitted).toBe(true);
      await store.close();
    });

    it('refuses a call on a resource whose limit a concurrent sub-agent used up, across clients', async () => {
      const clients = await Promise.all([make(), make()]);
      const treeId = tree();
      const children = Array.from({ length: 10 }, (_, i) => `${treeId}-child-${i}`);
      await start(clients[0]!, treeId);
      for (const child of children) await start(clients[0]!, treeId, child);
      const results = await Promise.all(
        children.map((child, i) =>
          admit(clients[i % 2]!, treeId, {
            chain: [
              { runId: child, maxCalls: 5, maxCallsPerResource: 1 },
              { runId: treeId, maxCalls: 1000, maxCallsPerResource: 3 },
            ],
          }),
        ),
      );
      expect(results.filter((r) => r.admitted)).toHaveLength(3);
      await Promise.all(clients.map((client) => client.close()));
    });
  });
}
