import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approveAll, manifestOf, orbitOf, orchestratorManifest } from '../../test/support.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { type ManifestInput, ManifestSchema } from '../manifest/manifest-schema.js';
import type { Decision } from '../run/decision.js';
import { defineTool } from '../run/define-tool.js';
import { admit } from '../run/gatekeeper.js';
import type { RunCore } from '../run/run-core.js';
import { MemoryStore } from '../stores/memory-store.js';
import type { RunStore } from '../stores/run-store.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { isWithin, type TokenScope } from '../trust/token-scope.js';
import { decide, type GateRequest, type GateState } from './decide.js';
import { compilePolicy } from './policy.js';

/** `max_calls_per_resource`: calls of one tool on one resource, per run (and on a store, per tree). */

const tools: ManifestInput['allowed_tools'] = [
  { name: 'read', max_calls_per_run: 50, reversibility: 'read_only' },
  { name: 'modify_order', max_calls_per_run: 3, max_calls_per_resource: 1, reversibility: 'reversible' },
  { name: 'update', max_calls_per_run: 50, reversibility: 'reversible' },
];
const level4 = { maturity_level: 4 as const, allowed_tools: tools };

const stateOf = (counts: Record<string, number>, calls = 0): GateState => ({
  halted: false,
  callsOf: () => calls,
  callsOn: (tool, resource) => counts[`${tool} ${resource}`] ?? 0,
  tokens: 0,
  records: 0,
  elapsedMs: 0,
  hasSeenResourceType: () => true,
  extraTokens: 0,
  extraRecords: 0,
  extraMs: 0,
});
const call = (tool: string, resource?: string, approved = false): GateRequest => ({
  tool,
  confidence: 0.99,
  records: 0,
  resource,
  approved,
});

const modifyOrder = (log: string[]) =>
  defineTool({
    name: 'modify_order',
    input: z.object({ order: z.string(), note: z.string().optional() }),
    resource: ({ order }) => `order:${order}`,
    execute: ({ order }) => {
      log.push(order);
      return { order };
    },
  });

describe('decide: max_calls_per_resource', async () => {
  const policy = compilePolicy(
    await loadManifest({ manifest: manifestOf(level4), allowUnsigned: true, logger: { warn() {} } }),
  );

  it('compiles the limit into the tool policy (absent: none)', () => {
    expect(policy.tools.get('modify_order')?.maxCallsPerResource).toBe(1);
    expect(policy.tools.get('update')?.maxCallsPerResource).toBeUndefined();
  });

  it('blocks a call on a resource whose limit is used up, like an exhausted call limit; another resource proceeds', () => {
    const state = stateOf({ 'modify_order order:A': 1 });
    expect(decide(policy, call('modify_order', 'order:A'), state)).toEqual({
      decision: 'block',
      reasons: ['resource_call_limit_reached'],
      confidence: 0.99,
    });
    expect(decide(policy, call('modify_order', 'order:B'), state).decision).toBe('proceed');
    // A person's approval satisfies pauses, never a block.
    expect(decide(policy, call('modify_order', 'order:A', true), state).decision).toBe('block');
  });

  it('keeps both reasons when the per-run and the per-resource limits are both used up', () => {
    const verdict = decide(
      policy,
      call('modify_order', 'order:A'),
      stateOf({ 'modify_order order:A': 1 }, 3),
    );
    expect(verdict).toMatchObject({
      decision: 'block',
      reasons: ['max_calls_exceeded', 'resource_call_limit_reached'],
    });
  });

  it('does not hold a call without a resource to it, and never asks for per-resource counts of other tools', () => {
    const asking: GateState = {
      ...stateOf({}),
      callsOn: () => {
        throw new Error('asked for a per-resource count');
      },
    };
    expect(decide(policy, call('modify_order'), asking).decision).toBe('proceed');
    expect(decide(policy, call('update', 'order:A'), asking).decision).toBe('proceed');
    expect(() => decide(policy, call('modify_order', 'order:A'), asking)).toThrow(/per-resource/);
  });
});

describe('manifest: max_calls_per_resource', () => {
  it('takes a whole number >= 0 and names the field otherwise', () => {
    const result = ManifestSchema.safeParse(
      manifestOf({
        allowed_tools: [{ name: 'modify_order', max_calls_per_run: 3, max_calls_per_resource: -1 }],
      }),
    );
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['allowed_tools', 0, 'max_calls_per_resource'],
        message: 'expected a number >= 0',
      }),
    ]);
  });

  it("refuses a delegated tool with a higher per-resource limit than its parent's", () => {
    const result = ManifestSchema.safeParse(
      orchestratorManifest({
        allowed_tools: tools,
        delegation: {
          max_depth: 1,
          max_sub_agents_per_run: 1,
          profiles: [
            {
              name: 'clerk',
              tools: [{ name: 'modify_order', max_calls_per_run: 3, max_calls_per_resource: 2 }],
            },
          ],
        },
      }),
    );
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['delegation', 'profiles', 0, 'tools', 0, 'max_calls_per_resource'],
        message: 'expected at most 1 (the parent\'s per-resource limit for "modify_order")',
      }),
    ]);
  });
});

describe('runs in memory: max_calls_per_resource', () => {
  it('run.guard: the second call on the same order is refused, another order passes', async () => {
    const { orbit } = await orbitOf(level4);
    const run = orbit.startRun();
    expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' }).decision).toBe(
      'proceed',
    );
    expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' })).toMatchObject({
      decision: 'block',
      reasons: ['resource_call_limit_reached'],
    });
    expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:B' }).decision).toBe(
      'proceed',
    );
    // Another run has its own counts.
    expect(
      orbit.startRun().guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' }).decision,
    ).toBe('proceed');
  });

  it('run.guard: a refused call is not counted, on its resource or against max_calls_per_run', async () => {
    const { orbit } = await orbitOf(level4);
    const run = orbit.startRun();
    // Paused (confidence below the floor), so not admitted: order:A is still free afterwards.
    expect(run.guard({ tool: 'modify_order', confidence: 0.5, resource: 'order:A' }).decision).toBe('pause');
    expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' }).decision).toBe(
      'proceed',
    );
    for (let i = 0; i < 5; i++)
      expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' }).decision).toBe(
        'block',
      );
    // max_calls_per_run is 3: the five refusals took none of it.
    expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:B' }).decision).toBe(
      'proceed',
    );
    expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:C' }).decision).toBe(
      'proceed',
    );
    expect(run.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:D' }).reasons).toEqual([
      'max_calls_exceeded',
    ]);
  });

  it('run.execute: one modification per order; an approved call counts like any admitted one', async () => {
    const log: string[] = [];
    const { orbit } = await orbitOf({ ...level4, maturity_level: 1 }, { approvalHandler: approveAll });
    const run = orbit.startRun();
    const tool = modifyOrder(log);
    expect((await run.execute(tool, { order: 'A', confidence: 0.99 })).status).toBe('executed');
    const second = await run.execute(tool, { order: 'A', note: 'again', confidence: 0.99 });
    expect(second).toMatchObject({
      status: 'refused',
      decision: { decision: 'block', reasons: ['resource_call_limit_reached'] },
    });
    expect((await run.execute(tool, { order: 'B', confidence: 0.99 })).status).toBe('executed');
    expect(log).toEqual(['A', 'B']);
  });

  it("counts a sub-agent's calls in its parent run; the token carries the parent's limit", async () => {
    const { orbit } = await orbitOf(
      orchestratorManifest({
        allowed_tools: tools,
        maturity_level: 4,
        delegation: {
          max_depth: 1,
          max_sub_agents_per_run: 2,
          profiles: [{ name: 'clerk', tools: [{ name: 'modify_order', max_calls_per_run: 1 }] }],
        },
      }),
    );
    const parent = orbit.startRun();
    const { run: child, scope } = await parent.delegate({ profile: 'clerk' });
    expect(scope?.tools.modify_order?.max_calls_per_resource).toBe(1);
    expect(child!.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' }).decision).toBe(
      'proceed',
    );
    expect(parent.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' }).reasons).toEqual([
      'resource_call_limit_reached',
    ]);
    // A second sub-agent of the same parent: the parent's count holds across the tree.
    const { run: other } = await parent.delegate({ profile: 'clerk' });
    expect(other!.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:A' }).reasons).toEqual([
      'resource_call_limit_reached',
    ]);
    expect(other!.guard({ tool: 'modify_order', confidence: 0.99, resource: 'order:B' }).decision).toBe(
      'proceed',
    );
  });

  it('refuses a token asking for a higher per-resource limit than the parent holds (scope_escalation)', async () => {
    const { orbit } = await orbitOf(
      orchestratorManifest({
        allowed_tools: tools,
        delegation: {
          max_depth: 1,
          max_sub_agents_per_run: 2,
          profiles: [{ name: 'clerk', tools: [{ name: 'modify_order', max_calls_per_run: 1 }] }],
        },
      }),
    );
    const result = await orbit.startRun().delegate({
      profile: 'clerk',
      tools: [{ name: 'modify_order', max_calls_per_resource: 2 }],
    });
    expect(result.decision).toMatchObject({ decision: 'block', reasons: ['scope_escalation'] });
    expect(result.decision.detail).toContain('tools.modify_order.max_calls_per_resource');
    expect(result.run).toBeUndefined();
  });

  it('isWithin: a scope is not within a parent limited per resource unless it is limited as tightly', () => {
    const scope = (perResource?: number): TokenScope => ({
      profile: null,
      tools: {
        modify_order: {
          max_calls: 1,
          threshold: 0.9,
          ...(perResource === undefined ? {} : { max_calls_per_resource: perResource }),
        },
      },
      delegate: { allowed: false, max_depth: 0, max_sub_agents: 0 },
    });
    expect(isWithin(scope(1), scope(1))).toBe(true);
    expect(isWithin(scope(1), scope())).toBe(true);
    expect(isWithin(scope(2), scope(1))).toBe(false);
    expect(isWithin(scope(), scope(1))).toBe(false);
  });

  it('keeps no per-resource entries for a tool without the limit: 1,000,000 distinct resources', async () => {
    const policy = compilePolicy(
      await loadManifest({ manifest: manifestOf(level4), allowUnsigned: true, logger: { warn() {} } }),
    );
    const ledger = new MemoryLedger(() => 0);
    const run = { lineage: [{ policy, ledger }] } as unknown as RunCore;
    const admitted = (tool: string) => ({ tool, decision: 'proceed' }) as Decision;
    const update = admitted('update');
    for (let i = 0; i < 1_000_000; i++) admit(run, update, 0, `order:${i}`);
    expect(ledger.callsOf('update')).toBe(1_000_000);
    expect(ledger.resourceCallEntries).toBe(0);
    const modify = admitted('modify_order');
    for (let i = 0; i < 1_000; i++) admit(run, modify, 0, `order:${i}`);
    expect(ledger.resourceCallEntries).toBe(1_000);
    expect(ledger.callsOn('modify_order', 'order:999')).toBe(1);
  });
});

describe('runs on a store: max_calls_per_resource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-resource-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stores: [string, () => RunStore][] = [
    ['memory', () => new MemoryStore()],
    ['sqlite', () => new SqliteStore({ path: join(dir, `${Math.random()}.db`) })],
  ];

  for (const [name, make] of stores) {
    it(`${name}: refuses the second modification of an order, across the run's tree`, async () => {
      const store = make();
      const log: string[] = [];
      const { orbit } = await orbitOf(
        orchestratorManifest({
          allowed_tools: tools,
          maturity_level: 4,
          delegation: {
            max_depth: 1,
            max_sub_agents_per_run: 2,
            profiles: [{ name: 'clerk', tools: [{ name: 'modify_order', max_calls_per_run: 1 }] }],
          },
        }),
        { store },
      );
      const parent = orbit.startRun();
      const tool = modifyOrder(log);
      expect((await parent.execute(tool, { order: 'A', confidence: 0.99 })).status).toBe('executed');
      expect(await parent.execute(tool, { order: 'A', confidence: 0.99 })).toMatchObject({
        status: 'refused',
        decision: { decision: 'block', reasons: ['resource_call_limit_reached'] },
      });
      const { run: child } = await parent.delegate({ profile: 'clerk' });
      expect((await child!.execute(tool, { order: 'A', confidence: 0.99 })).decision.reasons).toEqual([
        'resource_call_limit_reached',
      ]);
      // The refusal took none of the sub-agent's one call.
      expect((await child!.execute(tool, { order: 'B', confidence: 0.99 })).status).toBe('executed');
      expect(
        (await parent.guardAsync({ tool: 'modify_order', confidence: 0.99, resource: 'order:B' })).reasons,
      ).toEqual(['resource_call_limit_reached']);
      expect(log).toEqual(['A', 'B']);
      await store.close();
    });
  }
});
