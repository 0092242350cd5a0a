import { describe, expect, it } from 'vitest';
import { countingTool, orbitOf } from '../../test/support.js';

/** Every way a caller holding a run (or its orbit) might reach its state, tried one by one. */
function tamper(run: ReturnType<Awaited<ReturnType<typeof orbitOf>>['orbit']['startRun']>): string[] {
  const attempts: [string, () => void][] = [
    ['ledger.halted = false', () => ((run.ledger as { halted: boolean }).halted = false)],
    ['ledger replaced', () => ((run as unknown as { ledger: unknown }).ledger = { halted: false })],
    ['halted replaced', () => ((run as unknown as { halted: boolean }).halted = false)],
    ['policy replaced', () => ((run as unknown as { policy: unknown }).policy = {})],
    ['tool limit raised', () => ((run.policy.tools.get('update') as { maxCalls: number }).maxCalls = 1e9)],
    [
      'tool made read-only',
      () => ((run.policy.tools.get('update') as { reversibility: string }).reversibility = 'read_only'),
    ],
    ['blocked tool unblocked', () => (run.policy.blocked as Set<string>).delete('merge')],
    ['blocked tool unblocked by the built-in', () => Set.prototype.delete.call(run.policy.blocked, 'merge')],
    [
      'tool added by the built-in',
      () => Map.prototype.set.call(run.policy.tools, 'merge', run.policy.tools.get('read')),
    ],
    ['manifest profile widened', () => ((run.scope.tools as Record<string, unknown>).merge = {})],
    [
      'tool added',
      () => (run.policy.tools as Map<string, unknown>).set('merge', run.policy.tools.get('read')),
    ],
    ['resources widened', () => ((run.policy.tools.get('update')!.resources as unknown[]).length = 0)],
    [
      'resource matcher replaced',
      () => ((run.policy.tools.get('update')!.resources![0] as { test: unknown }).test = () => true),
    ],
    ['floor lowered', () => ((run.policy as { floor: number }).floor = 0)],
    ['scope widened', () => ((run.scope as { delegate: unknown }).delegate = { allowed: true })],
    ['sub-agent count reset', () => ((run as unknown as { subAgents: number }).subAgents = 0)],
  ];
  const refused: string[] = [];
  for (const [name, attempt] of attempts) {
    try {
      attempt();
    } catch (error) {
      if (error instanceof TypeError) refused.push(name);
      else throw error;
    }
  }
  return refused;
}

/** One limited tool with resources, one read, one blocked tool. */
const MANIFEST = {
  allowed_tools: [
    { name: 'read', max_calls_per_run: 5, reversibility: 'read_only' as const },
    { name: 'update', max_calls_per_run: 1, reversibility: 'partial' as const, resources: ['item:*'] },
  ],
  explicitly_blocked_tools: ['merge'],
};

describe('run state is read-only from outside', () => {
  it("no mutation a caller can reach turns a halted run's next call into proceed", async () => {
    const { orbit } = await orbitOf(MANIFEST);
    const run = orbit.startRun();
    run.stop();
    const refused = tamper(run);
    // Each attempt throws (strict mode): the state it aimed at cannot be written.
    expect(refused).toHaveLength(16);
    expect(Object.keys(run)).toEqual([]); // nothing but the private core behind it
    const decision = run.guard({ tool: 'read', args: {}, confidence: 0.99 });
    expect(decision.decision).toBe('halt');
    expect(decision.reasons).toEqual(['run_halted']);
    expect(run.halted).toBe(true);
  });

  it('no mutation widens what a running run may do: limits, blocked tools and resources hold', async () => {
    const { orbit } = await orbitOf(MANIFEST);
    const run = orbit.startRun();
    tamper(run);
    const update = countingTool('update');
    expect((await run.execute(update, { id: 'a', confidence: 0.99 })).status).toBe('executed');
    expect(
      run.guard({ tool: 'update', args: { id: 'b' }, confidence: 0.99, resource: 'item:2' }).reasons,
    ).toContain('max_calls_exceeded');
    expect(
      run.guard({ tool: 'update', args: { id: 'c' }, confidence: 0.99, resource: 'account:1' }).decision,
    ).toBe('halt');
    expect(orbit.startRun().guard({ tool: 'merge', args: {}, confidence: 1 }).decision).toBe('halt');
  });

  it('a run cannot be constructed from outside: runs come from orbit.startRun()', async () => {
    const { orbit } = await orbitOf();
    const RunClass = orbit.startRun().constructor as new (...args: unknown[]) => unknown;
    expect(() => new RunClass({}, Symbol('orbit.run.open'))).toThrow(/orbit\.startRun/);
  });

  it("the deployment's policy refuses writes, also through the built-ins", async () => {
    const { orbit } = await orbitOf();
    const { policy } = orbit;
    expect(() => Map.prototype.clear.call(policy.tools)).toThrow(TypeError);
    expect(() => (policy.tools as Map<string, unknown>).clear()).toThrow(TypeError);
    expect(() => (policy.blocked as Set<string>).add('read')).toThrow(TypeError);
    expect(Object.isFrozen(policy)).toBe(true);
  });
});
