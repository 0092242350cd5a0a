import { describe, expect, it } from 'vitest';
import { orbitOf } from '../../test/support.js';
import type { ManifestInput } from '../manifest/manifest-schema.js';

/**
 * `reversibility_when` fails closed: a rule whose condition errs may be the rule that was meant to
 * apply, so it never leaves a call under a more lenient tier than the rule's.
 */

const refund: ManifestInput['allowed_tools'][number] = {
  name: 'refund',
  max_calls_per_run: 10,
  reversibility: 'reversible',
  reversibility_when: [
    { when: "args.kind == 'test'", reversibility: 'read_only' },
    { when: 'args.amount > 500', reversibility: 'irreversible' },
  ],
};

describe('attacks on the rules: a reversibility_when rule that errs', () => {
  it('cannot be dodged by a hostile argument: a large refund sent as a string is still irreversible', async () => {
    // Level 2 blocks every irreversible write; a reversible one at high confidence proceeds.
    const { orbit } = await orbitOf({ maturity_level: 2, allowed_tools: [refund] });
    const run = orbit.startRun();
    const honest = run.guard({ tool: 'refund', confidence: 0.99, args: { kind: 'x', amount: 100_000 } });
    expect(honest).toMatchObject({ decision: 'block', reversibility: 'irreversible' });
    for (const args of [{ kind: 'x', amount: '100000' }, { kind: 'x' }, { kind: 'x', amount: null }]) {
      const dodged = run.guard({ tool: 'refund', confidence: 0.99, args });
      expect(dodged).toMatchObject({ decision: 'block', reversibility: 'irreversible' });
      expect(dodged.rules).toContain('reversibility_when[1]:error');
    }
  });

  it('an erring rule with a more lenient tier changes nothing; one after the rule that held is not read', async () => {
    const { orbit } = await orbitOf({ maturity_level: 2, allowed_tools: [refund] });
    const run = orbit.startRun();
    // Rule 0 errs (no kind): its tier (read_only) is more lenient than the tool's, so the tool's stands.
    const noKind = run.guard({ tool: 'refund', confidence: 0.99, args: { amount: 10 } });
    expect(noKind).toMatchObject({ decision: 'proceed', reversibility: 'reversible' });
    expect(noKind.rules).toEqual(['reversibility_when[0]:error']);
    // Rule 0 holds: first match wins, rule 1 (which would err) is never evaluated.
    const test = run.guard({ tool: 'refund', confidence: 0.99, args: { kind: 'test' } });
    expect(test).toMatchObject({ decision: 'proceed', reversibility: 'read_only' });
    expect(test.rules).toEqual(['reversibility_when[0]']);
  });

  it('the erring rule raises a tier a later rule picked more leniently', async () => {
    const tool: ManifestInput['allowed_tools'][number] = {
      name: 'refund',
      max_calls_per_run: 10,
      reversibility: 'partial',
      reversibility_when: [
        { when: 'args.amount > 500', reversibility: 'irreversible' },
        { when: "args.kind == 'small'", reversibility: 'reversible' },
      ],
    };
    const { orbit } = await orbitOf({ maturity_level: 2, allowed_tools: [tool] });
    const decision = orbit
      .startRun()
      .guard({ tool: 'refund', confidence: 0.99, args: { kind: 'small', amount: '9999' } });
    expect(decision).toMatchObject({ decision: 'block', reversibility: 'irreversible' });
    expect(decision.rules).toEqual(['reversibility_when[0]:error', 'reversibility_when[1]']);
  });

  it("a tool's hook cannot lower a tier the signed rules raised, even within reversibility_min", async () => {
    const { orbit } = await orbitOf({
      maturity_level: 2,
      allowed_tools: [{ ...refund, reversibility_min: 'read_only' }],
    });
    const run = orbit.startRun();
    // Without a rule raising it, the hook may lower the tool's tier down to reversibility_min.
    const lowered = run.guard({
      tool: 'refund',
      confidence: 0.99,
      args: { kind: 'x', amount: 10 },
      reversibility: 'read_only',
    });
    expect(lowered).toMatchObject({ reversibility: 'read_only' });
    expect(lowered.rules).toEqual(['reversibility_hook']);
    // Rule 1 raised the call to irreversible: the hook's read_only is capped, and level 2 blocks it.
    const raised = run.guard({
      tool: 'refund',
      confidence: 0.99,
      args: { kind: 'x', amount: 9999 },
      reversibility: 'read_only',
    });
    expect(raised).toMatchObject({ decision: 'block', reversibility: 'irreversible' });
    expect(raised.rules).toEqual(['reversibility_when[1]', 'reversibility_hook:capped']);
  });
});
