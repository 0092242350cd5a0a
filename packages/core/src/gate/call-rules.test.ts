import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approveAll, manifestOf, orbitOf } from '../../test/support.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { ManifestInvalidError } from '../errors.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { defineTool } from '../run/define-tool.js';

const refund = {
  name: 'refund',
  max_calls_per_run: 10,
  reversibility: 'partial' as const,
  conditions: [
    { name: 'refund_above_500', pause_when: 'args.amount > 500' },
    { name: 'no_test_orders', block_when: "args.order_id.startsWith('#T')" },
    { name: 'order_id_format', require: "args.order_id.matches('^#[WT][0-9]{7}$')" },
  ],
};

describe('argument conditions in the decision', () => {
  it('proceeds when no condition fires, and evaluates nothing for a tool without conditions', async () => {
    const { orbit } = await orbitOf({ allowed_tools: [refund] });
    const decision = orbit
      .startRun()
      .guard({ tool: 'refund', confidence: 0.99, args: { amount: 100, order_id: '#W1234567' } });
    expect(decision.decision).toBe('proceed');
    expect(decision.reasons).toEqual([]);
  });

  it('pauses on pause_when (condition_pause:<name>), and an approval satisfies it', async () => {
    const { orbit } = await orbitOf({ allowed_tools: [refund] }, { approvalHandler: approveAll });
    const run = orbit.startRun();
    const paused = run.guard({
      tool: 'refund',
      confidence: 0.99,
      args: { amount: 600, order_id: '#W1234567' },
    });
    expect(paused.decision).toBe('pause');
    expect(paused.reasons).toEqual(['condition_pause:refund_above_500']);
    const tool = defineTool({
      name: 'refund',
      input: z.object({ amount: z.number(), order_id: z.string() }),
      execute: (input) => `refunded ${input.amount}`,
    });
    const result = await run.execute(tool, { amount: 600, order_id: '#W1234567', confidence: 0.99 });
    expect(result.status).toBe('executed');
    expect(result.decision.decision).toBe('proceed_with_log');
    expect(result.approval?.reasons).toContain('condition_pause:refund_above_500');
  });

  it('blocks on block_when (condition_block:<name>): not approvable, and the run goes on', async () => {
    const { orbit } = await orbitOf({ allowed_tools: [refund] }, { approvalHandler: approveAll });
    const run = orbit.startRun();
    const blocked = run.guard({
      tool: 'refund',
      confidence: 0.99,
      args: { amount: 600, order_id: '#T1234567' },
    });
    expect(blocked.decision).toBe('block');
    expect(blocked.reasons).toEqual(['condition_pause:refund_above_500', 'condition_block:no_test_orders']);
    expect(blocked.approval).toBeUndefined();
    expect(
      run.guard({ tool: 'refund', confidence: 0.99, args: { amount: 1, order_id: '#W1234567' } }).decision,
    ).toBe('proceed');
  });

  it('blocks when a require does not hold (condition_require:<name>)', async () => {
    const { orbit } = await orbitOf({ allowed_tools: [refund] });
    const blocked = orbit
      .startRun()
      .guard({ tool: 'refund', confidence: 0.99, args: { amount: 5, order_id: 'W1' } });
    expect(blocked.decision).toBe('block');
    expect(blocked.reasons).toEqual(['condition_require:order_id_format']);
  });

  it('blocks when a condition errs (condition_error:<name>): fail closed', async () => {
    const { orbit } = await orbitOf({ allowed_tools: [refund] });
    const blocked = orbit
      .startRun()
      .guard({ tool: 'refund', confidence: 0.99, args: { amount: '600', order_id: 7 } });
    expect(blocked.decision).toBe('block');
    expect(blocked.reasons).toEqual([
      'condition_error:refund_above_500',
      'condition_error:no_test_orders',
      'condition_error:order_id_format',
    ]);
    const none = orbit.startRun().guard({ tool: 'refund', confidence: 0.99 });
    expect(none.decision).toBe('block');
  });

  it('refuses a bad condition at load, naming its path and what is allowed', async () => {
    const manifest = manifestOf({
      allowed_tools: [
        { name: 'a', max_calls_per_run: 1 },
        {
          name: 'refund',
          max_calls_per_run: 1,
          conditions: [{ name: 'c', pause_when: 'args.items.all(x, x > 1)' }],
        },
      ],
    });
    const error = await loadManifest({ manifest, allowUnsigned: true, logger: { warn() {} } }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect(error.message).toContain('allowed_tools[1].conditions[0].pause_when');
    expect(error.message).toContain('no loops');
    const two = manifestOf({
      allowed_tools: [
        { name: 'r', max_calls_per_run: 1, conditions: [{ name: 'c', pause_when: 'true', require: 'true' }] },
      ],
    });
    const twice = await loadManifest({ manifest: two, allowUnsigned: true, logger: { warn() {} } }).catch(
      (e) => e,
    );
    expect(twice.message).toContain('exactly one of pause_when, block_when, require');
  });
});

describe('reversibility per call', () => {
  const cancel = {
    name: 'cancel_booking',
    max_calls_per_run: 10,
    reversibility: 'partial' as const,
    reversibility_min: 'reversible' as const,
    reversibility_when: [
      { when: "args.kind == 'test'", reversibility: 'read_only' as const },
      { when: 'args.nights > 7', reversibility: 'irreversible' as const },
    ],
  };

  it('reversibility_when picks the tier (first match), else the tool tier; the decision says which rule', async () => {
    const { orbit } = await orbitOf({ maturity_level: 3, allowed_tools: [cancel] });
    const run = orbit.startRun();
    const long = run.guard({ tool: 'cancel_booking', confidence: 0.99, args: { kind: 'x', nights: 9 } });
    expect(long.reversibility).toBe('irreversible');
    expect(long.rules).toEqual(['reversibility_when[1]']);
    expect(long.decision).toBe('pause'); // level 3: irreversible pauses
    const test = run.guard({ tool: 'cancel_booking', confidence: 0.99, args: { kind: 'test', nights: 9 } });
    expect(test.reversibility).toBe('read_only');
    const plain = run.guard({ tool: 'cancel_booking', confidence: 0.99, args: { kind: 'x', nights: 1 } });
    expect(plain.reversibility).toBe('partial');
    expect(plain.rules).toBeUndefined();
  });

  it('the hook raises the tier always, lowers it only to reversibility_min, and junk keeps the manifest tier', async () => {
    const { orbit } = await orbitOf({ maturity_level: 3, allowed_tools: [cancel] });
    const run = orbit.startRun();
    const call = (reversibility: unknown) =>
      run.guard({ tool: 'cancel_booking', confidence: 0.99, args: { kind: 'x', nights: 1 }, reversibility });
    expect(call('irreversible')).toMatchObject({
      reversibility: 'irreversible',
      rules: ['reversibility_hook'],
    });
    expect(call('reversible')).toMatchObject({ reversibility: 'reversible', rules: ['reversibility_hook'] });
    expect(call('read_only')).toMatchObject({
      reversibility: 'partial',
      rules: ['reversibility_hook:capped'],
    });
    expect(call(null)).toMatchObject({ reversibility: 'partial', rules: ['reversibility_hook:invalid'] });
    expect(call('escalation')).toMatchObject({
      reversibility: 'partial',
      rules: ['reversibility_hook:invalid'],
    });
  });

  it('without reversibility_min the hook cannot lower the tier at all', async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [{ name: 'pay', max_calls_per_run: 5, reversibility: 'irreversible' }],
    });
    const decision = orbit.startRun().guard({ tool: 'pay', confidence: 0.99, reversibility: 'reversible' });
    expect(decision).toMatchObject({ reversibility: 'irreversible', rules: ['reversibility_hook:capped'] });
  });

  it('run.execute: a defineTool hook (with now) sets the tier, and the audit decision event names the rule', async () => {
    const { orbit, sink } = await orbitOf(
      {
        maturity_level: 3,
        allowed_tools: [{ ...cancel, conditions: [{ name: 'big_group', pause_when: 'args.guests > 8' }] }],
      },
      { approvalHandler: approveAll },
    );
    const seen: Date[] = [];
    const tool = defineTool({
      name: 'cancel_booking',
      input: z.object({ kind: z.string(), nights: z.number(), guests: z.number(), starts_at: z.string() }),
      // Cancellable free of charge until 24 h before the stay starts.
      reversibility: (input, { now }) => {
        seen.push(now);
        return Date.parse(input.starts_at) - now.getTime() > 24 * 3_600_000 ? 'reversible' : 'irreversible';
      },
      execute: () => 'cancelled',
    });
    const run = orbit.startRun();
    const early = await run.execute(tool, {
      kind: 'x',
      nights: 1,
      guests: 2,
      starts_at: new Date(Date.now() + 72 * 3_600_000).toISOString(),
      confidence: 0.99,
    });
    expect(early.status).toBe('executed');
    expect(early.decision).toMatchObject({ reversibility: 'reversible', rules: ['reversibility_hook'] });
    expect(seen[0]).toBeInstanceOf(Date);
    const late = await run.execute(tool, {
      kind: 'x',
      nights: 1,
      guests: 10,
      starts_at: new Date(Date.now() + 3_600_000).toISOString(),
      confidence: 0.99,
    });
    const events = (sink.events as AuditEvent[]).filter((event) => event.event === 'decision');
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      reversibility: 'irreversible',
      rules: ['reversibility_hook'],
      decision: 'pause',
    });
    expect(last.reasons).toContain('condition_pause:big_group');
    expect(late.decision.reversibility).toBe('irreversible');
  });
});
